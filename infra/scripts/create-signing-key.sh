#!/usr/bin/env bash
# Creates the JWT signing key (Key Vault secret: an ECDSA P-256 private key, PKCS#8 PEM) unless it exists already. azd runs it after
# provisioning; after a plain az deployment, run it with AZURE_KEY_VAULT_NAME set. The key is generated here and
# piped to az: it never appears in a parameter, an output, a deployment log, a command line or the shell history.
set -euo pipefail

# The deployment pipeline provisions with FUNCAUTH_DEPLOYER_KEY_VAULT_ACCESS=false: it holds no role on the vault's
# secrets and never makes the key. The key is made by a person, or by the signing-key workflow when asked.
if [ "${FUNCAUTH_DEPLOYER_KEY_VAULT_ACCESS:-true}" = "false" ]; then
  echo "signing key: not created here (FUNCAUTH_DEPLOYER_KEY_VAULT_ACCESS=false); see docs/deploy.md"
  exit 0
fi

vault="${AZURE_KEY_VAULT_NAME:?set AZURE_KEY_VAULT_NAME to the vault the deployment created}"
name="${AZURE_SIGNING_KEY_NAME:-jwt-signing-key}"

for tool in az openssl; do
  command -v "$tool" >/dev/null 2>&1 || { echo "$(basename "$0"): $tool is required" >&2; exit 1; }
done
az account show --output none || { echo "$(basename "$0"): sign in first (az login)" >&2; exit 1; }

# The Secrets Officer role was granted moments ago, and Key Vault can take a few minutes to honour a new assignment.
attempt=1
until existing="$(az keyvault secret list --vault-name "$vault" --query "[?name=='$name'].id" --output tsv 2>/dev/null)"; do
  if [ "$attempt" -ge 20 ]; then
    echo "signing key: cannot list the secrets of $vault; the signed-in identity needs Key Vault Secrets Officer there" >&2
    exit 1
  fi
  echo "signing key: waiting for access to $vault ($attempt/20)"
  attempt=$((attempt + 1))
  sleep 15
done

if [ -n "$existing" ]; then
  echo "signing key: $name exists in $vault; left as it is"
  exit 0
fi

# openssl genpkey writes PKCS#8 ("BEGIN PRIVATE KEY"), the format the app reads; the key stays in this shell variable.
key="$(openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -outform PEM)"
case "$key" in
  "-----BEGIN PRIVATE KEY-----"*"-----END PRIVATE KEY-----") ;;
  *) unset key; echo "signing key: openssl did not produce a PKCS#8 P-256 key" >&2; exit 1 ;;
esac

# printf is a shell builtin, so the key is on no process's command line; --output none keeps the response (which
# echoes the value) off the terminal and out of CI logs.
if ! printf '%s\n' "$key" | az keyvault secret set --vault-name "$vault" --name "$name" \
    --file /dev/stdin --encoding utf-8 --content-type "application/x-pem-file" --output none; then
  unset key
  echo "signing key: could not create $name in $vault (if it was deleted, recover it: az keyvault secret recover --vault-name $vault --name $name)" >&2
  exit 1
fi
unset key
echo "signing key: created $name in $vault"
