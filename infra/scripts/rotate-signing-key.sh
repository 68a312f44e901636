#!/usr/bin/env bash
# Adds a new version of the JWT signing key; the app signs with it from its next key reload on.
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

key="$(openssl rand -base64 32)"
if [ "${#key}" -ne 44 ]; then
  echo "rotate: openssl did not produce 32 random bytes" >&2
  exit 1
fi

# Same care as at creation: the key travels on stdin only, and only the new version's id is printed.
new_id="$(printf '%s' "$key" | az keyvault secret set --vault-name "$vault" --name "$name" \
  --file /dev/stdin --encoding utf-8 --content-type "base64" --query id --output tsv)"
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
