// Run by package.json's postinstall (npm ci): replaces node_modules/.bin/cdktf, the link `npx cdktf` runs,
// with a script that sets CHECKPOINT_DISABLE before starting the real CLI. The CLI otherwise asks
// checkpoint-api.hashicorp.com for a newer version on every synth and prints a red ERROR when that host is
// unreachable (cdktf-cli reads only the environment variable; no configuration file turns it off).
const fs = require("fs");
const path = require("path");

const bin = path.join(__dirname, "..", "..", "node_modules", ".bin", "cdktf");
const script = `#!/bin/sh
# Written by tools/node/cdktf-without-checkpoint.js (package.json postinstall): the cdktf CLI without its
# version check; set CHECKPOINT_DISABLE= (empty) to turn it back on.
CHECKPOINT_DISABLE=\${CHECKPOINT_DISABLE-1} exec node "$(dirname "$0")/../cdktf-cli/bundle/bin/cdktf" "$@"
`;
fs.rmSync(bin, { force: true });
fs.writeFileSync(bin, script, { mode: 0o755 });
