/**
 * nginx (Debian's package) as the load balancer in front of several service processes: round robin over
 * keep-alive upstream connections, as a production set-up would run it. One worker, no master, temp
 * directory for everything it writes; stopped with the bench's other children.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort, spawnProcess, waitForHttp, type Child } from './procs';

export const NGINX = '/usr/sbin/nginx';

export function nginxAvailable(): boolean {
  return existsSync(NGINX);
}

export async function startNginx(
  dir: string,
  upstreams: string[],
  verbose = false,
): Promise<{ url: string; child: Child }> {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const servers = upstreams.map((u) => `server ${new URL(u).host};`).join(' ');
  const conf = `
daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream grantex { ${servers} keepalive 128; }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://grantex;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For $remote_addr;
    }
  }
}
`;
  const file = path.join(dir, 'nginx.conf');
  writeFileSync(file, conf);
  const child = spawnProcess('nginx', NGINX, {
    env: {},
    args: ['-p', dir, '-e', `${dir}/error.log`, '-c', file],
    verbose,
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/health`, child);
  return { url, child };
}
