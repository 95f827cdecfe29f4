# Tools the test command needs beyond cargo; each is installed once and reused.
# shellcheck shell=bash

DIESEL_CLI_VERSION="2.3.14"
REDOCLY_VERSION="2.77.0"
SPECTRAL_VERSION="6.16.3"
SPECTRAL_OWASP_VERSION="2.0.1"
API_SMART_DIFF_VERSION="1.0.6"
TOOLS_DIR="$CHIHOI_ROOT/.tools"

ensure_diesel_cli() {
  if command -v diesel >/dev/null && diesel --version 2>/dev/null | grep -q "$DIESEL_CLI_VERSION"; then
    return 0
  fi
  apt_install libpq-dev
  say "installing diesel_cli $DIESEL_CLI_VERSION (once; about three minutes)"
  cargo install diesel_cli --version "=$DIESEL_CLI_VERSION" --no-default-features --features postgres --locked -q \
    || die "could not install diesel_cli"
}

ensure_chromium() {
  if [ -n "${CHIHOI_CHROMIUM:-}" ] && [ -x "$CHIHOI_CHROMIUM" ] && [ -n "${CHIHOI_CHROMEDRIVER:-}" ]; then return 0; fi
  # The driver too: the OAuth sign-in test drives the browser over WebDriver.
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    apt_install chromium chromium-driver
  fi
  CHIHOI_CHROMIUM="$(command -v chromium)"
  CHIHOI_CHROMEDRIVER="$(command -v chromedriver)"
  export CHIHOI_CHROMIUM CHIHOI_CHROMEDRIVER
}

ensure_node() {
  command -v npm >/dev/null || apt_install nodejs npm
}

# npm_tools DIR NAME@VERSION...: installs these exact packages into DIR/node_modules once;
# again only when a pinned version changes.
npm_tools() {
  local dir="$1" spec name version missing=""
  shift
  ensure_node
  for spec in "$@"; do
    name="${spec%@*}"
    version="${spec##*@}"
    grep -q "\"version\": \"$version\"" "$dir/node_modules/$name/package.json" 2>/dev/null || missing=1
  done
  [ -z "$missing" ] && return 0
  say "installing $*"
  mkdir -p "$dir"
  npm install --prefix "$dir" --no-audit --no-fund --silent "$@" >/dev/null || die "could not install $*"
}

ensure_redocly() {
  npm_tools "$TOOLS_DIR/npm" "@redocly/cli@$REDOCLY_VERSION"
  REDOCLY="$TOOLS_DIR/npm/node_modules/.bin/redocly"
}

ensure_spectral() {
  SPECTRAL_DIR="$TOOLS_DIR/spectral"
  npm_tools "$SPECTRAL_DIR" "@stoplight/spectral-cli@$SPECTRAL_VERSION" "@stoplight/spectral-owasp-ruleset@$SPECTRAL_OWASP_VERSION"
  SPECTRAL="$SPECTRAL_DIR/node_modules/.bin/spectral"
}

ensure_api_smart_diff() {
  npm_tools "$TOOLS_DIR/api-smart-diff" "api-smart-diff@$API_SMART_DIFF_VERSION"
  API_SMART_DIFF_MODULES="$TOOLS_DIR/api-smart-diff/node_modules"
}

# Spectral resolves a ruleset's `extends` from the ruleset's own folder, so the ruleset and the
# contract it names are linted from a copy beside the installed rulesets.
spectral_lint() {
  local copy="$SPECTRAL_DIR/lint"
  mkdir -p "$copy"
  cp openapi/spectral.yaml openapi/openapi.json "$copy/"
  (cd "$copy" && "$SPECTRAL" lint --ruleset spectral.yaml --fail-severity warn openapi.json)
}

# The generator of the Python client, mypy and the client's own imports, pinned in
# openapi/clients/python/requirements.txt, in a virtual environment of their own.
ensure_python_client_tools() {
  PYTHON_CLIENT_VENV="$TOOLS_DIR/python-client"
  local wanted="$CHIHOI_ROOT/openapi/clients/python/requirements.txt"
  if [ -x "$PYTHON_CLIENT_VENV/bin/mypy" ] && cmp -s "$wanted" "$PYTHON_CLIENT_VENV/requirements.txt"; then
    return 0
  fi
  python3 -c 'import ensurepip, venv' 2>/dev/null || apt_install python3-venv
  say "installing openapi-python-client and mypy (once)"
  rm -rf "$PYTHON_CLIENT_VENV"
  python3 -m venv "$PYTHON_CLIENT_VENV" || die "could not create a Python virtual environment"
  "$PYTHON_CLIENT_VENV/bin/pip" install -q -r "$wanted" || die "could not install the Python client tools"
  cp "$wanted" "$PYTHON_CLIENT_VENV/requirements.txt"
}

SCHEMATHESIS_VERSION="4.32.5"

ensure_schemathesis() {
  SCHEMATHESIS="$TOOLS_DIR/schemathesis/bin/schemathesis"
  if [ -x "$SCHEMATHESIS" ] && "$SCHEMATHESIS" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
    return 0
  fi
  python3 -c 'import ensurepip, venv' 2>/dev/null || apt_install python3-venv
  say "installing Schemathesis $SCHEMATHESIS_VERSION (once)"
  rm -rf "$TOOLS_DIR/schemathesis"
  python3 -m venv "$TOOLS_DIR/schemathesis" || die "could not create a Python virtual environment"
  "$TOOLS_DIR/schemathesis/bin/pip" install -q "schemathesis==$SCHEMATHESIS_VERSION" || die "could not install schemathesis"
}
