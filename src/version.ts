/** The package version, read once from package.json (one folder above both src/ and dist/). */
import * as fs from 'fs';
import * as path from 'path';

export const VERSION: string = (JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string })
  .version;
