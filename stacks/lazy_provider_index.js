// Node side of stacks/lazy_providers.py: the jsii runtime loads each prebuilt provider package with
// require(), and the package's lib/index.js requires all of its ~2,200 submodules at once (1.4 s for
// aws, 0.6 s for kubernetes on a 2-core machine). Preloaded with `node --require`, this hook reads such an
// index instead of running it and exports each submodule as a getter that requires it on first use: the
// runtime reaches classes by property (`exports.vpc.Vpc`), so only the submodules the app uses are loaded.
// An index with any line of another shape runs unchanged.
"use strict";

const fs = require("fs");
const path = require("path");
const Module = require("module");

const PROVIDER_PACKAGE = /^@cdktf\/provider-/;
const EXPORT = /^exports\.([A-Za-z_$][\w$]*) = require\("(\.\/[\w.-]+)"\);$/;
const INERT = [
  /^"use strict";$/,
  /^\s*(\/\*\*|\*|\*\/|\/\/)/, // comments, the licence header and the source map
  /^Object\.defineProperty\(exports, "__esModule", \{ value: true \}\);$/,
  /^exports\.[\w$]+( = exports\.[\w$]+)* = void 0;$/,
  /^$/,
];

/** The submodule exports of a provider package's lib/index.js, or null if the file is anything else. */
function providerExports(filename) {
  if (path.basename(filename) !== "index.js" || path.basename(path.dirname(filename)) !== "lib") {
    return null;
  }
  let name;
  try {
    name = JSON.parse(fs.readFileSync(path.join(filename, "..", "..", "package.json"), "utf8")).name;
  } catch {
    return null;
  }
  if (!PROVIDER_PACKAGE.test(name)) return null;
  const exported = [];
  for (const line of fs.readFileSync(filename, "utf8").split("\n")) {
    const match = EXPORT.exec(line);
    if (match) exported.push([match[1], match[2]]);
    else if (!INERT.some((pattern) => pattern.test(line))) return null;
  }
  return exported;
}

const loadJs = Module._extensions[".js"];
Module._extensions[".js"] = function loadLazyProviderIndex(module, filename) {
  const exported = providerExports(filename);
  if (exported === null) return loadJs(module, filename);
  Object.defineProperty(module.exports, "__esModule", { value: true });
  for (const [name, request] of exported) {
    Object.defineProperty(module.exports, name, {
      enumerable: true,
      configurable: true,
      get() {
        const value = module.require(request);
        Object.defineProperty(module.exports, name, { value, enumerable: true, writable: true });
        return value;
      },
    });
  }
};
