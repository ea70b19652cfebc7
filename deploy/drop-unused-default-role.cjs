// Serverless plugin (listed after serverless-iam-roles-per-function): the framework still
// compiles its shared default role (IamRoleLambdaExecution) although every function gets a role
// of its own. An unused role with log and queue permissions is attack surface and nothing else,
// so it is removed, but only when nothing in the template refers to it any more.
class DropUnusedDefaultRole {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = { "before:package:finalize": () => this.drop() };
  }

  drop() {
    const template = this.serverless.service.provider.compiledCloudFormationTemplate;
    const id = this.serverless.providers.aws.naming.getRoleLogicalId();
    const role = template.Resources[id];
    if (!role) return;
    delete template.Resources[id];
    const stillUsed = JSON.stringify(template).includes(`"${id}"`);
    if (stillUsed) {
      template.Resources[id] = role;
      throw new this.serverless.classes.Error(`trailguard: the default role ${id} is still referenced; give every function its own iamRoleStatements`);
    }
  }
}

module.exports = DropUnusedDefaultRole;
