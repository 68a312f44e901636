// Verifies an ID token with jose, a JOSE library that has nothing in common with FuncAuth's own .NET stack: the key
// set, issuer, audience and nonce come as arguments, and the verified payload is printed as JSON.
//
//   node verify-id-token.mjs <id_token> <jwks.json path> <issuer> <audience> <nonce>
import { readFileSync } from "node:fs";
import { createLocalJWKSet, jwtVerify } from "jose";

const [token, jwksPath, issuer, audience, nonce] = process.argv.slice(2);
const keys = createLocalJWKSet(JSON.parse(readFileSync(jwksPath, "utf8")));
const { payload, protectedHeader } = await jwtVerify(token, keys, { issuer, audience, algorithms: ["ES256"], requiredClaims: ["sub", "iat", "exp", "auth_time"] });
if (payload.nonce !== nonce) throw new Error("nonce mismatch");
console.log(JSON.stringify({ header: protectedHeader, payload }));
