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
# The principal the template made Key Vault Secrets Officer for this one step (empty under the signing-key workflow).
$officer = $env:AZURE_SIGNING_KEY_OFFICER_ID

# Once the key exists the deploying user's Secrets Officer role has done its job and is removed (create-signing-key.sh).
function Remove-OfficerRole {
    if (-not $officer) { return }
    $vaultId = az keyvault show --name $vault --query id --output tsv
    if ($LASTEXITCODE -eq 0) {
        $ids = @(az role assignment list --scope $vaultId --role b86a8fe4-44ce-4948-aee5-eccb2c155cd7 --query "[?principalId=='$officer'].id" --output tsv)
        if ($LASTEXITCODE -eq 0) {
            if (-not $ids) { return }
            az role assignment delete --ids @ids --output none
            if ($LASTEXITCODE -eq 0) {
                Write-Host "signing key: removed Key Vault Secrets Officer on $vault from $officer; it is granted again only while a provision runs"
                return
            }
        }
    }
    Write-Warning "signing key: could not remove Key Vault Secrets Officer on $vault from $officer; remove it yourself (docs/deploy.md)"
}
if (-not (Get-Command az -ErrorAction SilentlyContinue)) { throw 'the Azure CLI (az) is required' }
az account show --output none
if ($LASTEXITCODE -ne 0) { throw 'sign in first (az login)' }

# With private networking the vault takes no call from outside its virtual network, this machine's included.
if ($env:AZURE_PRIVATE_NETWORKING -eq 'true') {
    Write-Host "signing key: $vault is reachable only from its virtual network; create the key from a machine inside it (docs/deploy.md)"
    Remove-OfficerRole
    exit 0
}

# The Secrets Officer role was granted moments ago, and Key Vault can take a few minutes to honour a new assignment.
$existing = $null
for ($attempt = 1; ; $attempt++) {
    $existing = az keyvault secret list --vault-name $vault --query "[?name=='$name'].id" --output tsv 2>$null
    if ($LASTEXITCODE -eq 0) { break }
    if ($attempt -ge 20) { throw "cannot list the secrets of $vault; the signed-in identity needs Key Vault Secrets Officer there" }
    Write-Host "signing key: waiting for access to $vault ($attempt/20)"
    Start-Sleep -Seconds 15
}

# The TOTP secrets' key (README, "Two-step sign-in"): 32 random bytes, base64, made once like the signing key.
$mfaName = if ($env:AZURE_MFA_KEY_NAME) { $env:AZURE_MFA_KEY_NAME } else { 'mfa-encryption-key' }
function New-MfaKeyUnlessPresent {
    $found = az keyvault secret list --vault-name $vault --query "[?name=='$mfaName'].id" --output tsv
    if ($LASTEXITCODE -ne 0) { throw "cannot list the secrets of $vault" }
    if ($found) { Write-Host "mfa key: $mfaName exists in $vault; left as it is"; return }
    $mfaFile = New-TemporaryFile
    try {
        [IO.File]::WriteAllText($mfaFile.FullName, [Convert]::ToBase64String([Security.Cryptography.RandomNumberGenerator]::GetBytes(32)) + "`n")
        az keyvault secret set --vault-name $vault --name $mfaName --file $mfaFile.FullName --encoding utf-8 --output none
        if ($LASTEXITCODE -ne 0) { throw "could not create $mfaName in $vault" }
    }
    finally {
        Remove-Item $mfaFile.FullName -Force -ErrorAction SilentlyContinue
    }
    Write-Host "mfa key: created $mfaName in $vault"
}

if ($existing) {
    Write-Host "signing key: $name exists in $vault; left as it is"
    New-MfaKeyUnlessPresent
    Remove-OfficerRole
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
New-MfaKeyUnlessPresent
Remove-OfficerRole
