// Checks an email's HTML against the caniemail database for the given clients.
// Usage: node lint-email.mjs FILE.html "outlook.windows" ["gmail.*" ...]
// Prints {"success": bool, "errors": [...], "warnings": [...], "notes": [...]} as JSON.
import { readFileSync } from "node:fs";
import { doIUseEmail } from "@jsx-email/doiuse-email";

const [file, ...clients] = process.argv.slice(2);
const result = doIUseEmail(readFileSync(file, "utf8"), { emailClients: clients });
process.stdout.write(JSON.stringify(result));
