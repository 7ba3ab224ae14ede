// Every retry the harness makes is counted: it is printed at once (a TAP comment in the test's
// output) and appended to artifacts/e2e/retries.log, which scripts/test.sh empties before the
// run and counts in its summary. Only one failure is retried at all: the known crash of WebKit's
// compositor under Mesa's software renderer (tests/e2e/README.md), which WebKitWebDriver reports
// as "session deleted because of page crash or hang". Anything else (a timeout, a refused
// session, a seeding that hangs) fails the test.
import { appendFileSync, mkdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const repo = resolve(here, '../../..');
export const artifacts = resolve(process.env.GRIDDESK_E2E_ARTIFACTS ?? join(repo, 'artifacts/e2e'));

/** WebKitWebDriver's answer once the web view's page crashed. */
export const PAGE_CRASH = /session deleted because of page crash or hang/;

/** Whether `e` (an error or a message) is the known WebKit page crash. */
export function isPageCrash(e) {
  return PAGE_CRASH.test(String(e?.message ?? e));
}

/** Records one retry of `what` after `error`. */
export function noteRetry(what, error) {
  const line = { at: new Date().toISOString(), file: basename(process.argv[1] ?? ''), what, error: String(error?.message ?? error).slice(0, 400) };
  mkdirSync(artifacts, { recursive: true });
  appendFileSync(join(artifacts, 'retries.log'), `${JSON.stringify(line)}\n`);
  console.error(`# RETRY (${line.file}) ${what} after: ${line.error}`);
}
