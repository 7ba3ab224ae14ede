// Runs inside `unshare -n` (see `Driver` in harness.mjs, `offline`): a network namespace with no
// interface but loopback, which it brings up (the drivers talk to each other and to the web view
// over 127.0.0.1). Starts tauri-driver there and forwards a Unix socket — a file, reachable from
// outside the namespace — to the driver's port, so that the test client can reach it while
// nothing inside can reach any other machine.
//   node netns-driver.mjs <socket path> <tauri-driver> --port <p> --native-port <n>
import { spawn, spawnSync } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { rmSync } from 'node:fs';

const [sock, bin, ...args] = process.argv.slice(2);
const port = Number(args[args.indexOf('--port') + 1]);

const up = spawnSync('ip', ['link', 'set', 'lo', 'up'], { encoding: 'utf8' });
if (up.status !== 0) {
  console.error(`netns-driver: cannot bring up loopback: ${up.error?.message ?? up.stderr}`);
  process.exit(1);
}
const driver = spawn(bin, args, { stdio: ['ignore', 'inherit', 'inherit'] });
driver.on('exit', (code) => { process.exit(code ?? 1); });

rmSync(sock, { force: true });
const server = createServer((client) => {
  const upstream = connect(port, '127.0.0.1');
  client.pipe(upstream).pipe(client);
  const close = () => { client.destroy(); upstream.destroy(); };
  client.on('error', close);
  upstream.on('error', close);
});
server.listen(sock);

const stop = () => {
  server.close();
  driver.kill('SIGTERM');
  setTimeout(() => { driver.kill('SIGKILL'); process.exit(0); }, 2000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
