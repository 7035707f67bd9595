#!/usr/bin/env node
// The bin is this small committed file, so npm can link it on install before dist/ is built.
require("../dist/cli.js").runAsCommand();
