# Tools the test command needs beyond cargo; each is installed once and reused.
# shellcheck shell=bash

DIESEL_CLI_VERSION="2.3.14"
REDOCLY_VERSION="2.77.0"
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
