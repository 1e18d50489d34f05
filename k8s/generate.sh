#!/usr/bin/env bash
# Rebuilds the generated files of k8s/base: packages the four services (quarkus-kubernetes writes each one's
# target/kubernetes/kubernetes.yml from its application.properties and src/main/kubernetes/kubernetes.yml), then
# deploy-tests' GeneratedBaseTest copies them into k8s/base (with -Dt2s.k8s.write=true; without it, the same test
# fails when k8s/base differs). Run it after changing a service's quarkus.kubernetes.* block, its
# src/main/kubernetes/kubernetes.yml or the chart's dashboard, and commit the result.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -z "${JAVA_HOME:-}" ]]; then
  JAVA_HOME="$(./t2s java-home)"
  export JAVA_HOME
fi
./mvnw -B -q -pl deploy-tests -am verify -Dt2s.k8s.write=true \
  -Dtest=GeneratedBaseTest -Dsurefire.failIfNoSpecifiedTests=false
git status --short -- k8s/base
