# Creates the JWT signing key (Key Vault secret: an ECDSA P-256 private key, PKCS#8 PEM) unless it exists already: the PowerShell
# twin of create-signing-key.sh, which azd runs on Windows after provisioning.
$ErrorActionPreference = 'Stop'

# The deployment pipeline provisions without access to the vault's secrets and never makes the key (docs/deploy.md).
if ($env:FUNCAUTH_DEPLOYER_KEY_VAULT_ACCESS -eq 'false') {
    Write-Host 'signing key: not created here (FUNCAUTH_DEPLOYER_KEY_VAULT_ACCESS=false); see docs/deploy.md'
    exit 0
}

$vault = $env:AZURE_KEY_VAULT_NAME
if (-not $vault) { throw 'set AZURE_KEY_VAULT_NAME to the vault the deployment created' }
$name = if ($env:AZURE_SIGNING_KEY_NAME) { $env:AZURE_SIGNING_KEY_NAME } else { 'jwt-signing-key' }
if (-not (Get-Command az -ErrorAction SilentlyContinue)) { throw 'the Azure CLI (az) is required' }
az account show --output none
if ($LASTEXITCODE -ne 0) { throw 'sign in first (az login)' }

# The Secrets Officer role was granted moments ago, and Key Vault can take a few minutes to honour a new assignment.
$existing = $null
for ($attempt = 1; ; $attempt++) {
    $existing = az keyvault secret list --vault-name $vault --query "[?name=='$name'].id" --output tsv 2>$null
    if ($LASTEXITCODE -eq 0) { break }
    if ($attempt -ge 20) { throw "cannot list the secrets of $vault; the signed-in identity needs Key Vault Secrets Officer there" }
    Write-Host "signing key: waiting for access to $vault ($attempt/20)"
    Start-Sleep -Seconds 15
}

if ($existing) {
    Write-Host "signing key: $name exists in $vault; left as it is"
    exit 0
}

# Windows has no /dev/stdin for az to read, so the key goes through a file only this user can read, deleted at once;
# never through --value, which would put it on the command line.
$file = New-TemporaryFile
try {
    $key = [Security.Cryptography.ECDsa]::Create([Security.Cryptography.ECCurve+NamedCurves]::nistP256)
    try { [IO.File]::WriteAllText($file.FullName, $key.ExportPkcs8PrivateKeyPem() + "`n") } finally { $key.Dispose() }
    az keyvault secret set --vault-name $vault --name $name --file $file.FullName --encoding utf-8 --content-type application/x-pem-file --output none
    if ($LASTEXITCODE -ne 0) { throw "could not create $name in $vault (if it was deleted, recover it: az keyvault secret recover --vault-name $vault --name $name)" }
}
finally {
    Remove-Item $file.FullName -Force -ErrorAction SilentlyContinue
}
Write-Host "signing key: created $name in $vault"
