#!/usr/bin/env bash
# Creates the JWT signing key (Key Vault secret: an ECDSA P-256 private key, PKCS#8 PEM) unless it exists already, and
# the key that encrypts TOTP secrets (secret mfa-encryption-key: 32 random bytes, base64) likewise. azd runs it after
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
# The principal the template made Key Vault Secrets Officer for this one step (a template output, so azd hands it to
# the hook); empty when run by the signing-key workflow, whose identity keeps its role for rotations.
officer="${AZURE_SIGNING_KEY_OFFICER_ID:-}"
secrets_officer_role=b86a8fe4-44ce-4948-aee5-eccb2c155cd7
mfa_name="${AZURE_MFA_KEY_NAME:-mfa-encryption-key}"

# The TOTP secrets' key (README, "Two-step sign-in"): made once, like the signing key, and never rotated by this
# script (a new version re-keys new secrets; old ones stay readable while their version is enabled).
ensure_mfa_key() {
  local found
  found="$(az keyvault secret list --vault-name "$vault" --query "[?name=='$mfa_name'].id" --output tsv)" || return 1
  if [ -n "$found" ]; then
    echo "mfa key: $mfa_name exists in $vault; left as it is"
    return 0
  fi
  # Piped like the signing key: on no command line, and --output none keeps the echoed value out of logs.
  if ! openssl rand -base64 32 | az keyvault secret set --vault-name "$vault" --name "$mfa_name" \
      --file /dev/stdin --encoding utf-8 --output none; then
    echo "mfa key: could not create $mfa_name in $vault" >&2
    return 1
  fi
  echo "mfa key: created $mfa_name in $vault"
}

# Once the key exists the deploying user's Secrets Officer role has done its job: it is removed rather than left
# standing (rotating later is a deliberate grant, or the signing-key workflow: docs/deploy.md). The next provision
# grants it again for the length of this hook. A failure to remove it only warns: the key is there either way.
remove_officer_role() {
  [ -n "$officer" ] || return 0
  local vault_id ids
  if vault_id="$(az keyvault show --name "$vault" --query id --output tsv)" &&
    ids="$(az role assignment list --scope "$vault_id" --role "$secrets_officer_role" \
      --query "[?principalId=='$officer'].id" --output tsv)"; then
    if [ -z "$ids" ]; then
      return 0
    fi
    # shellcheck disable=SC2086 # one id per line, none contains a space
    if az role assignment delete --ids $ids --output none; then
      echo "signing key: removed Key Vault Secrets Officer on $vault from $officer; it is granted again only while a provision runs"
      return 0
    fi
  fi
  echo "signing key: could not remove Key Vault Secrets Officer on $vault from $officer; remove it yourself (docs/deploy.md)" >&2
}

for tool in az openssl; do
  command -v "$tool" >/dev/null 2>&1 || { echo "$(basename "$0"): $tool is required" >&2; exit 1; }
done
az account show --output none || { echo "$(basename "$0"): sign in first (az login)" >&2; exit 1; }

# With private networking the vault takes no call from outside its virtual network, this machine's included.
if [ "${AZURE_PRIVATE_NETWORKING:-false}" = "true" ]; then
  echo "signing key: $vault is reachable only from its virtual network; create the key from a machine inside it (docs/deploy.md)"
  remove_officer_role
  exit 0
fi

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
  ensure_mfa_key
  remove_officer_role
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
ensure_mfa_key
remove_officer_role
