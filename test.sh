#!/usr/bin/env bash
# Runs every LiveHelp test. On a fresh Debian machine it first installs what the tests need.
set -euo pipefail
cd "$(dirname "$0")"

need() { command -v "$1" >/dev/null 2>&1; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if ! need dotnet; then
  echo "LiveHelp needs the .NET 10 SDK: https://dotnet.microsoft.com/download" >&2
  exit 1
fi

# Debian packages the tests start for real on loopback (added as the test suites need them).
packages=(chromium redis-server postgresql haproxy coturn)
if [ ${#packages[@]} -gt 0 ]; then
  missing=()
  for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}"
  fi
fi

dotnet build LiveHelp.sln -c Release -warnaserror -nologo -v quiet
dotnet test LiveHelp.sln -c Release --no-build -nologo --logger "console;verbosity=minimal" "$@"

# The benchmark tool in smoke mode (seconds per scenario): it must keep working; its figures are not judged here.
smoke_report="$(mktemp -d)/BENCHMARKS.md"
dotnet tests/LiveHelp.Benchmarks/bin/Release/net10.0/LiveHelp.Benchmarks.dll --smoke --out "$smoke_report"
