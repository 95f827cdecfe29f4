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

ensure_redocly() {
  ensure_node
  REDOCLY="$TOOLS_DIR/npm/node_modules/.bin/redocly"
  if [ -x "$REDOCLY" ] && grep -q "\"version\": \"$REDOCLY_VERSION\"" "$TOOLS_DIR/npm/node_modules/@redocly/cli/package.json" 2>/dev/null; then
    return 0
  fi
  say "installing Redocly CLI $REDOCLY_VERSION"
  mkdir -p "$TOOLS_DIR/npm"
  npm install --prefix "$TOOLS_DIR/npm" --no-audit --no-fund --silent "@redocly/cli@$REDOCLY_VERSION" >/dev/null \
    || die "could not install @redocly/cli"
}

ensure_spectral() {
  ensure_node
  SPECTRAL_DIR="$TOOLS_DIR/spectral"
  SPECTRAL="$SPECTRAL_DIR/node_modules/.bin/spectral"
  if [ -x "$SPECTRAL" ] && grep -q "\"version\": \"$SPECTRAL_VERSION\"" "$SPECTRAL_DIR/node_modules/@stoplight/spectral-cli/package.json" 2>/dev/null \
    && grep -q "\"version\": \"$SPECTRAL_OWASP_VERSION\"" "$SPECTRAL_DIR/node_modules/@stoplight/spectral-owasp-ruleset/package.json" 2>/dev/null; then
    return 0
  fi
  say "installing Spectral $SPECTRAL_VERSION with the OWASP ruleset $SPECTRAL_OWASP_VERSION"
  mkdir -p "$SPECTRAL_DIR"
  npm install --prefix "$SPECTRAL_DIR" --no-audit --no-fund --silent \
    "@stoplight/spectral-cli@$SPECTRAL_VERSION" "@stoplight/spectral-owasp-ruleset@$SPECTRAL_OWASP_VERSION" >/dev/null \
    || die "could not install Spectral"
}

ensure_api_smart_diff() {
  ensure_node
  local dir="$TOOLS_DIR/api-smart-diff"
  API_SMART_DIFF_MODULES="$dir/node_modules"
  if grep -q "\"version\": \"$API_SMART_DIFF_VERSION\"" "$API_SMART_DIFF_MODULES/api-smart-diff/package.json" 2>/dev/null; then
    return 0
  fi
  say "installing api-smart-diff $API_SMART_DIFF_VERSION"
  mkdir -p "$dir"
  npm install --prefix "$dir" --no-audit --no-fund --silent "api-smart-diff@$API_SMART_DIFF_VERSION" >/dev/null \
    || die "could not install api-smart-diff"
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
