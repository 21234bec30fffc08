// Reads {"op", "provider", "secret", "body", "headers"} on stdin; prints {"valid": bool, ...} or {"signature": ...}.
import "@shopify/shopify-api/adapters/node";
import { shopifyApi, ApiVersion } from "@shopify/shopify-api";
import { sign, verify } from "@octokit/webhooks-methods";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const input = JSON.parse(Buffer.concat(chunks).toString("utf8"));

async function github() {
  if (input.op === "sign") return { signature: await sign(input.secret, input.body) };
  return { valid: await verify(input.secret, input.body, input.headers["X-Hub-Signature-256"]) };
}

async function shopify() {
  const api = shopifyApi({
    apiKey: "oracle", apiSecretKey: input.secret, hostName: "oracle.example.com",
    apiVersion: ApiVersion.October25 ?? Object.values(ApiVersion).at(-2), isEmbeddedApp: false, logger: { level: 0 },
  });
  const headers = Object.fromEntries(Object.entries(input.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const rawRequest = { method: "POST", url: "/webhooks", headers };
  const result = await api.webhooks.validate({ rawBody: input.body, rawRequest, rawResponse: {} });
  return { valid: result.valid, reason: result.reason ?? null, missing: result.missingHeaders ?? null, domain: result.domain ?? null };
}

const out = input.provider === "github" ? await github() : await shopify();
process.stdout.write(JSON.stringify(out));
