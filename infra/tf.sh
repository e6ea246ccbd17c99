#!/bin/sh
# infra/tf.sh ENV TERRAFORM-ARGS... - run terraform in infra/ENV (aws or
# local) with the AWS provider from a local plugin directory, so nothing
# is downloaded from the registry.
#
#   infra/tf.sh local apply -auto-approve
#   infra/tf.sh local plan -detailed-exitcode
#   infra/tf.sh aws init            (init alone)
#
# The plugin directory is the one holding registry.terraform.io/: taken
# from TF_PLUGIN_DIR, else the first of /opt/tf-plugins,
# ~/.terraform.d/plugins, ~/.local/share/terraform/plugins that has the
# AWS provider, else found with `find / -name 'terraform-provider-aws*'`.
# `terraform init -plugin-dir=DIR` runs first whenever the working
# directory has not been initialised (or ENV's lock file is missing).
set -eu

usage() {
	echo "usage: infra/tf.sh aws|local TERRAFORM-ARGS..." >&2
	exit 2
}
[ $# -ge 1 ] || usage
env=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
dir="$here/$env"
[ -d "$dir" ] && [ "$env" != modules ] || usage

if ! command -v terraform >/dev/null 2>&1; then
	echo "tf.sh: terraform is not installed" >&2
	exit 127
fi

has_aws() {
	ls "$1"/registry.terraform.io/hashicorp/aws/*/*/terraform-provider-aws* \
		>/dev/null 2>&1
}

plugin_dir=${TF_PLUGIN_DIR:-}
if [ -z "$plugin_dir" ]; then
	for d in /opt/tf-plugins "$HOME/.terraform.d/plugins" \
		"$HOME/.local/share/terraform/plugins"; do
		if has_aws "$d"; then
			plugin_dir=$d
			break
		fi
	done
fi
if [ -z "$plugin_dir" ]; then
	found=$(find / -xdev -name 'terraform-provider-aws*' -type f 2>/dev/null |
		grep /registry.terraform.io/ | head -n 1 || true)
	[ -n "$found" ] && plugin_dir=${found%%/registry.terraform.io/*}
fi
if [ -z "$plugin_dir" ] || ! has_aws "$plugin_dir"; then
	echo "tf.sh: no terraform-provider-aws found (set TF_PLUGIN_DIR to the" \
		"directory that holds registry.terraform.io/)" >&2
	exit 3
fi

export TF_IN_AUTOMATION=1
# No ~/.terraformrc is needed: say so instead of warning on every run.
if [ -z "${TF_CLI_CONFIG_FILE:-}" ] && [ ! -f "$HOME/.terraformrc" ]; then
	export TF_CLI_CONFIG_FILE=/dev/null
fi
if [ "${1:-}" = init ]; then
	shift
	exec terraform -chdir="$dir" init -input=false -plugin-dir="$plugin_dir" "$@"
fi
if [ ! -d "$dir/.terraform" ] || [ ! -f "$dir/.terraform.lock.hcl" ]; then
	terraform -chdir="$dir" init -input=false -plugin-dir="$plugin_dir" >&2
fi
exec terraform -chdir="$dir" "$@"
