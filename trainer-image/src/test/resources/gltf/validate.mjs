// Runs the Khronos glTF validator on each file named after the validator's install directory and
// prints one JSON line per file: its issue counts and messages. Used by GlbValidationTest.
//   node validate.mjs <gltf-validator install dir> FILE...
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

const [dir, ...files] = process.argv.slice(2);
const require = createRequire(path.join(dir, 'package.json'));
const validator = require('gltf-validator');

for (const file of files) {
  const bytes = new Uint8Array(await readFile(file));
  const report = await validator.validateBytes(bytes, { maxIssues: 100 });
  const issues = report.issues;
  console.log(JSON.stringify({
    file,
    errors: issues.numErrors,
    warnings: issues.numWarnings,
    infos: issues.numInfos,
    hints: issues.numHints,
    messages: issues.messages.map((m) => `${m.severity} ${m.code} ${m.pointer ?? ''} ${m.message}`),
    info: report.info,
  }));
}
