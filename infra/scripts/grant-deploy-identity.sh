#!/usr/bin/env bash
# Gives the pipeline's deploy identity (funcauth-deploy, docs/deploy.md) its two roles on the resource group:
# Contributor, and Role Based Access Control Administrator with a condition that lets it add or remove only the roles
# infra/main.bicep assigns, only for service principals (managed identities are), and never for itself.
# Run it once as an Owner (or User Access Administrator) of the group, and again whenever the template starts to
# assign another role:
#   DEPLOY_PRINCIPAL_ID=<object id of the deploy identity's service principal> \
#   RESOURCE_GROUP_ID=/subscriptions/<sub>/resourceGroups/<group> ./infra/scripts/grant-deploy-identity.sh
set -euo pipefail

principal="${DEPLOY_PRINCIPAL_ID:?set DEPLOY_PRINCIPAL_ID to the object id of the service principal of the deploy identity}"
scope="${RESOURCE_GROUP_ID:?set RESOURCE_GROUP_ID to the resource id of the resource group}"

# Every role infra/main.bicep assigns, one per line with its name. A test compiles the template and fails when this
# list and the template's role assignments differ (tests/FuncAuth.Infra.Tests/DeployIdentityRolesTests.cs).
template_roles=(
  0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3 # Storage Table Data Contributor
  974c5e8b-45b9-4653-ba55-5f855dd0fb88 # Storage Queue Data Contributor
  ba92f5b4-2d11-453d-a403-e96b0029c9fe # Storage Blob Data Contributor
  4633458b-17de-408a-b874-0445c86b69e6 # Key Vault Secrets User
  b86a8fe4-44ce-4948-aee5-eccb2c155cd7 # Key Vault Secrets Officer
  3913510d-42f4-4e42-8a64-420c390055eb # Monitoring Metrics Publisher
)
roles="$(printf '%s, ' "${template_roles[@]}")"
roles="${roles%, }"

command -v az >/dev/null 2>&1 || { echo "$(basename "$0"): az is required" >&2; exit 1; }

# Writes: only those roles, only to a service principal, never to the deploy identity itself (so it can neither widen
# its own rights nor hand a role to a person). Deletes: only assignments of those roles.
condition="((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR \
(@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {$roles} \
AND @Request[Microsoft.Authorization/roleAssignments:PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase {'ServicePrincipal'} \
AND @Request[Microsoft.Authorization/roleAssignments:PrincipalId] ForAnyOfAllValues:GuidNotEquals {$principal})) \
AND ((!(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})) OR \
(@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {$roles}))"

az role assignment create --assignee-object-id "$principal" --assignee-principal-type ServicePrincipal \
  --role Contributor --scope "$scope" --output none

# An assignment's condition cannot be replaced by creating it again: drop the previous one (an older role list) first.
existing="$(az role assignment list --assignee "$principal" --role "Role Based Access Control Administrator" \
  --scope "$scope" --query "[].id" --output tsv)"
if [ -n "$existing" ]; then
  # shellcheck disable=SC2086 # one id per line, none contains a space
  az role assignment delete --ids $existing --output none
fi
az role assignment create --assignee-object-id "$principal" --assignee-principal-type ServicePrincipal \
  --role "Role Based Access Control Administrator" --scope "$scope" \
  --condition "$condition" --condition-version 2.0 --output none
echo "deploy identity: Contributor and conditioned RBAC Administrator (${#template_roles[@]} roles) on $scope"
