#!/usr/bin/env bash
# Adds a new version of the JWT signing key (an ECDSA P-256 private key, PKCS#8 PEM). The app publishes its public key in
# the JWKS at its next key reload and signs with it once Auth__KeyActivationDelay (default 10 minutes) has passed since
# its creation, so relying parties that cache the JWKS know the key before they see a token it signed.
#   rotate-signing-key.sh                 old versions stay enabled: tokens they signed stay valid (no one is logged out)
#   rotate-signing-key.sh --disable-older every older version is disabled: every token issued so far is refused
#                                         after the next key reload (everyone signs in again)
# Needs AZURE_KEY_VAULT_NAME (azd env get-values prints it) and Key Vault Secrets Officer on that vault.
set -euo pipefail

vault="${AZURE_KEY_VAULT_NAME:?set AZURE_KEY_VAULT_NAME to the vault holding the signing key}"
name="${AZURE_SIGNING_KEY_NAME:-jwt-signing-key}"

for tool in az openssl; do
  command -v "$tool" >/dev/null 2>&1 || { echo "$(basename "$0"): $tool is required" >&2; exit 1; }
done
az account show --output none || { echo "$(basename "$0"): sign in first (az login)" >&2; exit 1; }
disable_older=false
case "${1:-}" in
  "") ;;
  --disable-older) disable_older=true ;;
  *) echo "usage: $0 [--disable-older]" >&2; exit 2 ;;
esac

# openssl genpkey writes PKCS#8 ("BEGIN PRIVATE KEY"), the format the app reads; the key stays in this shell variable.
key="$(openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -outform PEM)"
case "$key" in
  "-----BEGIN PRIVATE KEY-----"*"-----END PRIVATE KEY-----") ;;
  *) unset key; echo "rotate: openssl did not produce a PKCS#8 P-256 key" >&2; exit 1 ;;
esac

# Same care as at creation: the key travels on stdin only, and only the new version's id is printed.
new_id="$(printf '%s\n' "$key" | az keyvault secret set --vault-name "$vault" --name "$name" \
  --file /dev/stdin --encoding utf-8 --content-type "application/x-pem-file" --query id --output tsv)"
unset key
echo "rotate: added $new_id"

if [ "$disable_older" = true ]; then
  az keyvault secret list-versions --vault-name "$vault" --name "$name" \
      --query "[?attributes.enabled].id" --output tsv |
    while read -r version_id; do
      if [ "$version_id" != "$new_id" ]; then
        az keyvault secret set-attributes --id "$version_id" --enabled false --output none
        echo "rotate: disabled $version_id"
      fi
    done
fi
