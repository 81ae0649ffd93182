#!/usr/bin/env bash
# The test command: installs what the tests need, builds once, runs every test project and
# ends with one summary line: "N passed, N failed" (", N skipped" when some were skipped).
# Exit status is non-zero when the build fails, any test fails, a test run crashes, or no
# test ran at all.
#
# Environment:
#   CI=true            set by CI; fixtures then treat a missing server as a failure (they never skip)
#   WELLWON_TEST_PG    connection string of a running PostgreSQL to use instead of private ones
#   TEST_FILTER        optional `dotnet test --filter` expression, for local runs
set -euo pipefail

# Debian packages the tests need. Add a package here and nothing else: it is installed when
# missing, and apt-get update runs only when something is missing.
REQUIRED_PACKAGES=(
  postgresql  # PostgresServer fixture: initdb, pg_ctl, postgres
  chromium    # WebClient.Tests: the headless browser Playwright drives (/usr/bin/chromium)
)

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
RESULTS="$ROOT/artifacts/test-results"
CONFIGURATION=Release
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

step() { printf '==> %s\n' "$*"; }
# Failures before the tests run still end with the summary line, so readers of the last line
# always find one.
die() { printf 'error: %s\n' "$*" >&2; echo "0 passed, 0 failed"; exit 1; }

install_missing_packages() {
  local missing=() pkg
  if ! command -v dpkg-query >/dev/null; then
    step "not a Debian system: make sure these (or their equivalents) are installed: ${REQUIRED_PACKAGES[*]}"
    return
  fi
  for pkg in "${REQUIRED_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$pkg")
    fi
  done
  if ((${#missing[@]} == 0)); then
    step "packages present: ${REQUIRED_PACKAGES[*]}"
    return
  fi

  command -v apt-get >/dev/null || die "missing packages (${missing[*]}) and no apt-get to install them; install them by hand"
  local sudo=()
  if ((EUID != 0)); then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
      sudo=(sudo -n)
    else
      die "missing packages: ${missing[*]}. Installing them needs root: run as root, give this user passwordless sudo, or run: apt-get install -y ${missing[*]}"
    fi
  fi
  step "installing: ${missing[*]}"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null || die "apt-get update failed"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null \
    || die "apt-get install ${missing[*]} failed"
}

# Test projects are the solution's projects under tests/ that do not opt out with
# <IsTestProject>false</IsTestProject> (shared libraries such as tests/Testing).
list_test_projects() {
  dotnet sln WellWon.sln list | tr '\\' '/' | grep -E '^tests/.*\.csproj$' | while read -r project; do
    grep -q '<IsTestProject>false</IsTestProject>' "$project" || echo "$project"
  done
}

command -v dotnet >/dev/null || die "dotnet is not on PATH; install the .NET SDK pinned in global.json"
command -v python3 >/dev/null || die "python3 is needed to read the test results"

step "checking required packages"
install_missing_packages

step "building WellWon.sln ($CONFIGURATION)"
build_start=$SECONDS
dotnet build WellWon.sln -c "$CONFIGURATION" -nologo -v:minimal -clp:NoSummary </dev/null || die "build failed"
step "build succeeded in $((SECONDS - build_start)) s"

rm -rf "$RESULTS"
mkdir -p "$RESULTS"
mapfile -t projects < <(list_test_projects)
((${#projects[@]} > 0)) || die "no test projects found under tests/"

runs=()
for project in "${projects[@]}"; do
  name=$(basename "$project" .csproj)
  step "testing $name"
  test_start=$SECONDS
  args=(test "$project" --no-build -c "$CONFIGURATION" --nologo
        --results-directory "$RESULTS/$name"
        --logger "trx;LogFileName=$name.trx"
        --logger "console;verbosity=normal"
        # A hung test becomes a failure with a dump instead of eating the CI time limit.
        --blame-hang-timeout 10m)
  [[ -n ${TEST_FILTER:-} ]] && args+=(--filter "$TEST_FILTER")
  status=0
  dotnet "${args[@]}" </dev/null || status=$?
  step "$name finished in $((SECONDS - test_start)) s (exit $status)"
  runs+=("$name=$status")
done

# Prints per-project counts and failed tests, then the summary as the last line; exits 1 unless
# every run exited 0, at least one test ran, and none failed.
exec python3 scripts/trx-summary.py "$RESULTS" "${runs[@]}"
