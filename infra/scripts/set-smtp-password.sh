#!/usr/bin/env bash
# Stores the SMTP relay's password as the Key Vault secret smtp-password, which the app reads through a Key Vault
# reference (Email__SmtpPassword). The password is read from standard input, so it never appears in a parameter, a
# command line, the shell history or a deployment log:
#   AZURE_KEY_VAULT_NAME=kv-... ./infra/scripts/set-smtp-password.sh < password-file
#   (or run it and type the password, then Ctrl+D)
# Afterwards restart the app (az functionapp restart) so that it resolves the new secret at once.
set -euo pipefail

vault="${AZURE_KEY_VAULT_NAME:?set AZURE_KEY_VAULT_NAME to the vault the deployment created}"
name="${AZURE_SMTP_PASSWORD_SECRET_NAME:-smtp-password}"

command -v az >/dev/null 2>&1 || { echo "$(basename "$0"): az is required" >&2; exit 1; }
az account show --output none || { echo "$(basename "$0"): sign in first (az login)" >&2; exit 1; }

password="$(cat)"
password="${password%$'\n'}"
if [ -z "$password" ]; then
  echo "smtp password: nothing on standard input" >&2
  exit 1
fi

# printf is a shell builtin, so the password is on no process's command line; --output none keeps the response
# (which echoes the value) off the terminal.
printf '%s' "$password" | az keyvault secret set --vault-name "$vault" --name "$name" --file /dev/stdin --output none
echo "smtp password: stored as $name in $vault"
