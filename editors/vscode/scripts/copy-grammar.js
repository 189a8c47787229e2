// Copy the generated TextMate grammar into the extension (vsce packages only files
// inside this folder). The source of truth is grammars/nas.tmLanguage.json, generated
// by `python -m nasdsl.grammars.gen_tmlanguage`; a test checks the copy is identical.
'use strict';
const fs = require('fs');
const path = require('path');

const source = path.join(__dirname, '..', '..', '..', 'grammars', 'nas.tmLanguage.json');
const target = path.join(__dirname, '..', 'syntaxes', 'nas.tmLanguage.json');
if (fs.existsSync(source)) {
  // an identical copy is left untouched: tests may be reading it in parallel
  const same = fs.existsSync(target) && fs.readFileSync(source).equals(fs.readFileSync(target));
  if (!same) {
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(source, target);
    console.log(`copied ${path.relative(process.cwd(), source)} -> ${path.relative(process.cwd(), target)}`);
  }
} else if (!fs.existsSync(target)) {
  console.error(`missing grammar: ${source}`);
  process.exit(1);
}
