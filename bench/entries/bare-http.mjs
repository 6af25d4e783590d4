// The reference point of the throughput section: a bare node:http "hello world" (keep-alive, no framework, no
// work), measured with the same load generator in the same run. Each service figure is reported as a ratio to it.
import http from 'node:http';

const port = Number(process.env.BARE_PORT);
http
  .createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('hello world');
  })
  .listen(port, '127.0.0.1', () => console.log(`bare node:http listening on ${port}`));
