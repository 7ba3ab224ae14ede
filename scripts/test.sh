#!/usr/bin/env bash
# Sets up a clean clone (system packages, npm packages) and runs every check and test:
# formatting, clippy, eslint + tsc, the workspace's cargo tests (engine included), a build of the
# app, and the end-to-end tests through the real window under Xvfb. Ends with one summary line.
# Screenshots and metrics from the end-to-end run land in artifacts/e2e/.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p artifacts/e2e
log_dir=artifacts/test-logs
mkdir -p "$log_dir"
started=$(date +%s)

passed=0
failed=0
steps=()

# step NAME CMD... : runs a step, keeps its log, records the outcome.
step() {
  local name=$1; shift
  local t0=$(date +%s)
  echo "==> $name"
  if "$@" 2>&1 | tee "$log_dir/$name.log"; then
    steps+=("ok    $name ($(( $(date +%s) - t0 )) s)")
    return 0
  else
    steps+=("FAIL  $name ($(( $(date +%s) - t0 )) s) — see $log_dir/$name.log")
    failed=$((failed + 1))
    return 1
  fi
}

for tool in cargo node npm; do
  command -v "$tool" >/dev/null 2>&1 || { echo "test.sh: '$tool' is required"; echo "summary: 0 passed, 1 failed"; exit 1; }
done

step deps bash scripts/install-deps.sh --test || { echo "summary: 0 passed, 1 failed"; exit 1; }
export PATH="$HOME/.cargo/bin:$PATH"
# A run from a clean clone compiles everything once: incremental compilation's caches only cost
# time and disk there (set CARGO_INCREMENTAL=1 to keep them when re-running this by hand).
export CARGO_INCREMENTAL=${CARGO_INCREMENTAL:-0}

step npm-ci bash -c 'cd ui && npm ci --no-audit --no-fund --loglevel=error'
step ui-lint bash -c 'cd ui && npx eslint . && npx tsc --noEmit'
# The app embeds ui/dist at compile time, so the UI is built before clippy and the app.
step ui-build bash -c 'cd ui && npm run build --silent'
step fmt cargo fmt --all --check
step clippy cargo clippy --workspace --all-targets -- -D warnings
# One build of the libraries, binaries and tests with one feature set, so the test run below and
# the app the end-to-end tests drive reuse the same compiled dependencies instead of compiling
# them again for `cargo build -p griddesk-app` (a narrower feature set). The benchmarks are not
# run here: clippy above has type-checked them, and building them would only cost time.
build_targets=(--workspace --lib --bins --tests)
step build cargo build "${build_targets[@]}"
# --no-fail-fast: one failing test binary must not hide the results of the others.
if step cargo-test cargo test --workspace --no-fail-fast; then :; fi
# Count cargo's tests from its own result lines.
read -r cp cf < <(grep -E '^test result:' "$log_dir/cargo-test.log" | \
  awk '{for (i=1;i<=NF;i++){ if ($(i)~/^passed;?$/) p+=$(i-1); if ($(i)~/^failed;?$/) f+=$(i-1)}} END {print p+0, f+0}')
passed=$((passed + cp)); failed=$((failed + cf))
[ "$cf" -gt 0 ] && failed=$((failed - 1))  # the step failure is already counted in its tests

# The station's phone pages (docs/station.md, "Phones") in Debian's Chromium with phone emulation,
# against a real `griddesk serve`: built pages, the CLI from the build step, one deadline.
rm -f artifacts/e2e/tap-phone.txt
if step phone-build bash -c 'cd ui && npx vite build --config vite.phone.config.ts --logLevel error'; then
  step e2e-phone timeout 180 node --test --test-concurrency=1 --test-force-exit \
    --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=tap --test-reporter-destination=artifacts/e2e/tap-phone.txt \
    tests/e2e-phone/
  pp=$(grep -cE '^ok ' artifacts/e2e/tap-phone.txt 2>/dev/null || true)
  pf=$(grep -cE '^not ok ' artifacts/e2e/tap-phone.txt 2>/dev/null || true)
  pp=${pp:-0}; pf=${pf:-0}
  passed=$((passed + pp)); failed=$((failed + pf))
  [ "$pf" -gt 0 ] && failed=$((failed - 1))
fi

if [ -x target/debug/griddesk-app ] && step app-build cargo build "${build_targets[@]}"; then
  # The step can never hang CI: node exits when the tests end, and the whole step has a deadline.
  # Every retry the harness makes (only after WebKit's known page crash) lands in retries.log.
  rm -f artifacts/e2e/retries.log
  step e2e timeout 1200 xvfb-run -a -s "-screen 0 1280x800x24" \
    node --test --test-concurrency=1 --test-force-exit \
      --test-reporter=spec --test-reporter-destination=stdout \
      --test-reporter=tap --test-reporter-destination=artifacts/e2e/tap.txt \
      tests/e2e/
  # Count the top-level results (with --test-force-exit the reporter may not write its summary).
  ep=$(grep -cE '^ok ' artifacts/e2e/tap.txt 2>/dev/null || true)
  ef=$(grep -cE '^not ok ' artifacts/e2e/tap.txt 2>/dev/null || true)
  ep=${ep:-0}; ef=${ef:-0}
  passed=$((passed + ep)); failed=$((failed + ef))
  [ "$ef" -gt 0 ] && failed=$((failed - 1))
  [ -f artifacts/e2e/metrics.json ] && { echo "==> e2e metrics"; cat artifacts/e2e/metrics.json; echo; }
  retries=$(grep -c . artifacts/e2e/retries.log 2>/dev/null || true)
  retries=${retries:-0}
  if [ "$retries" -gt 0 ]; then echo "==> e2e retries"; cat artifacts/e2e/retries.log; fi
  steps+=("      e2e retries: $retries (after WebKit's page crash; artifacts/e2e/retries.log)")
fi

echo
echo "==> steps"
printf '    %s\n' "${steps[@]}"
echo "    total $(( $(date +%s) - started )) s"
# Name what failed last, where a CI log's tail shows it: cargo's failed tests with their panic
# lines, and the end-to-end tests (TAP "not ok", at any depth) with the error the harness gave.
if [ "$failed" -gt 0 ]; then
  echo "==> failures"
  grep -E '^test .* FAILED$' "$log_dir/cargo-test.log" 2>/dev/null | head -20 | sed 's/^/    cargo: /'
  grep -E "^thread '.*' panicked at|^  left:|^ right:" "$log_dir/cargo-test.log" 2>/dev/null | head -12 | sed 's/^/      /'
  if [ -f artifacts/e2e/tap.txt ] || [ -f artifacts/e2e/tap-phone.txt ]; then
    awk '/^ *not ok /{show=1; print "    e2e: " $0; n=0; next}
         show && /^ *(ok|not ok) /{show=0}
         show && /(error|message|expected|actual|location|failureType):/ && n<8 {print "      " $0; n++}' \
      $(ls artifacts/e2e/tap.txt artifacts/e2e/tap-phone.txt 2>/dev/null) | head -40
  fi
fi
echo "summary: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
