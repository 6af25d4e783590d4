/** Progress lines go to stderr so stdout stays the final table (easy to pipe or diff). */
const started = performance.now();

export function progress(message: string): void {
  const secs = ((performance.now() - started) / 1000).toFixed(1).padStart(6);
  process.stderr.write(`[bench ${secs}s] ${message}\n`);
}

export function warn(message: string): void {
  progress(`WARNING: ${message}`);
}
