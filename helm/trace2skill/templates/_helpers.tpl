{{/* Names ---------------------------------------------------------------------------------------------------- */}}

{{- define "trace2skill.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "trace2skill.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "trace2skill.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The four services: values key, name (= image, component label, Quarkus application name), HTTP port. The port is
     the one each image listens on (quarkus.http.port in its application.properties). */}}
{{- define "trace2skill.components" -}}
components:
  - key: traceIngest
    name: trace-ingest
    port: 8081
    enabled: true
    modelStage: ""
  - key: analystWorker
    name: analyst-worker
    port: 8082
    enabled: true
    modelStage: analyst
  - key: merger
    name: merger
    port: 8083
    enabled: true
    modelStage: merger
  - key: evaluator
    name: evaluator
    port: 8084
    enabled: {{ .Values.evaluator.enabled }}
    modelStage: evaluator
{{- end -}}

{{/* Fixed by analyst-worker's application.properties (mp.messaging.incoming.analysis-jobs.*): the topic KEDA watches
     and the consumer group whose lag it reads. deploy-tests compares both with that file. */}}
{{- define "trace2skill.analysisTopic" -}}analysis-jobs{{- end -}}
{{- define "trace2skill.workerGroup" -}}analyst-workers{{- end -}}

{{/* The pipeline's topics (service-support PipelineTopics): analysis-jobs gets kafka.topics.analysisPartitions. */}}
{{- define "trace2skill.otherTopics" -}}
runs skill-patches run-events skills-evolved draft-requests skill-drafts analysis-jobs-dlq eval-tasks eval-results trace-ingest-dlq merger-dlq evaluator-dlq
{{- end -}}

{{/* Labels ----------------------------------------------------------------------------------------------------- */}}

{{- define "trace2skill.labels" -}}
helm.sh/chart: {{ include "trace2skill.chart" . }}
app.kubernetes.io/name: {{ include "trace2skill.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: trace2skill
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* dict "root" $ "component" "trace-ingest". A component's name label is <name>-<component>
     (trace2skill-trace-ingest), as quarkus-kubernetes writes it into each service's generated manifests. */}}
{{- define "trace2skill.componentLabels" -}}
helm.sh/chart: {{ include "trace2skill.chart" .root }}
app.kubernetes.io/name: {{ include "trace2skill.componentName" . }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: trace2skill
{{- with .root.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "trace2skill.componentName" -}}
{{- printf "%s-%s" (include "trace2skill.name" .root) .component | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "trace2skill.selectorLabels" -}}
app.kubernetes.io/name: {{ include "trace2skill.componentName" . }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* Every pod of this release (for NetworkPolicy peers). */}}
{{- define "trace2skill.releaseSelector" -}}
app.kubernetes.io/part-of: trace2skill
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "trace2skill.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "trace2skill.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* Images ----------------------------------------------------------------------------------------------------- */}}

{{/* dict "root" $ "component" "trace-ingest" */}}
{{- define "trace2skill.image" -}}
{{- $v := .root.Values.image -}}
{{- $tag := default .root.Chart.AppVersion $v.tag -}}
{{- $suffix := ternary "-native" "" (eq $v.variant "native") -}}
{{- $repo := printf "trace2skill/%s" .component -}}
{{- if $v.registry -}}
{{- printf "%s/%s:%s%s" (trimSuffix "/" $v.registry) $repo $tag $suffix -}}
{{- else -}}
{{- printf "%s:%s%s" $repo $tag $suffix -}}
{{- end -}}
{{- end -}}

{{/* Kafka ------------------------------------------------------------------------------------------------------ */}}

{{- define "trace2skill.kafkaCluster" -}}
{{- default (printf "%s-kafka" (include "trace2skill.fullname" .)) .Values.kafka.strimzi.clusterName | trunc 40 | trimSuffix "-" -}}
{{- end -}}

{{- define "trace2skill.kafkaScram" -}}
{{- if and .Values.kafka.strimzi.enabled (eq .Values.kafka.strimzi.authentication "scram-sha-512") -}}true{{- end -}}
{{- end -}}

{{- define "trace2skill.kafkaUser" -}}
{{- printf "%s-app" (include "trace2skill.fullname" .) -}}
{{- end -}}

{{- define "trace2skill.kafkaBootstrap" -}}
{{- if .Values.kafka.strimzi.enabled -}}
{{- printf "%s-kafka-bootstrap:%s" (include "trace2skill.kafkaCluster" .) (ternary "9093" "9092" (eq (include "trace2skill.kafkaScram" .) "true")) -}}
{{- else -}}
{{- .Values.kafka.external.bootstrapServers -}}
{{- end -}}
{{- end -}}

{{/* "true" when the clients use SASL (external SASL, or Strimzi SCRAM). */}}
{{- define "trace2skill.kafkaSasl" -}}
{{- if or (eq (include "trace2skill.kafkaScram" .) "true") (and (not .Values.kafka.strimzi.enabled) .Values.kafka.external.sasl.enabled) -}}true{{- end -}}
{{- end -}}

{{/* "true" when the clients use TLS (external TLS, or Strimzi SCRAM on the TLS listener). */}}
{{- define "trace2skill.kafkaTls" -}}
{{- if or (eq (include "trace2skill.kafkaScram" .) "true") (and (not .Values.kafka.strimzi.enabled) .Values.kafka.external.tls.enabled) -}}true{{- end -}}
{{- end -}}

{{- define "trace2skill.kafkaSecurityProtocol" -}}
{{- $sasl := eq (include "trace2skill.kafkaSasl" .) "true" -}}
{{- $tls := eq (include "trace2skill.kafkaTls" .) "true" -}}
{{- if and $sasl $tls -}}SASL_SSL{{- else if $sasl -}}SASL_PLAINTEXT{{- else if $tls -}}SSL{{- else -}}PLAINTEXT{{- end -}}
{{- end -}}

{{- define "trace2skill.kafkaSaslMechanism" -}}
{{- if eq (include "trace2skill.kafkaScram" .) "true" -}}SCRAM-SHA-512{{- else -}}{{ .Values.kafka.external.sasl.mechanism }}{{- end -}}
{{- end -}}

{{/* Secret and key of the brokers' CA certificate, empty when the default trust store applies. */}}
{{- define "trace2skill.kafkaCaSecret" -}}
{{- if eq (include "trace2skill.kafkaScram" .) "true" -}}
{{- printf "%s-cluster-ca-cert" (include "trace2skill.kafkaCluster" .) -}}
{{- else if and (not .Values.kafka.strimzi.enabled) .Values.kafka.external.tls.enabled -}}
{{- .Values.kafka.external.tls.caSecret -}}
{{- end -}}
{{- end -}}

{{- define "trace2skill.kafkaCaKey" -}}
{{- if eq (include "trace2skill.kafkaScram" .) "true" -}}ca.crt{{- else -}}{{ .Values.kafka.external.tls.caKey }}{{- end -}}
{{- end -}}

{{- define "trace2skill.kafkaSaslSecret" -}}
{{- default (include "trace2skill.credentialsSecret" .) .Values.kafka.external.sasl.existingSecret -}}
{{- end -}}

{{/* The services create topics unless Strimzi KafkaTopic resources own them. */}}
{{- define "trace2skill.topicsCreate" -}}
{{- and .Values.kafka.topics.create (not .Values.kafka.strimzi.enabled) -}}
{{- end -}}

{{/* PostgreSQL ------------------------------------------------------------------------------------------------- */}}

{{- define "trace2skill.pgCluster" -}}
{{- default (printf "%s-pg" (include "trace2skill.fullname" .)) .Values.postgresql.cnpg.clusterName | trunc 50 | trimSuffix "-" -}}
{{- end -}}

{{- define "trace2skill.jdbcUrl" -}}
{{- if .Values.postgresql.cnpg.enabled -}}
{{- printf "jdbc:postgresql://%s-rw:5432/%s" (include "trace2skill.pgCluster" .) .Values.postgresql.cnpg.database -}}
{{- else -}}
{{- .Values.postgresql.external.jdbcUrl -}}
{{- end -}}
{{- end -}}

{{/* Models ----------------------------------------------------------------------------------------------------- */}}

{{- define "trace2skill.vllmName" -}}
{{- printf "%s-vllm" (include "trace2skill.fullname" .) -}}
{{- end -}}

{{- define "trace2skill.vllmServedModel" -}}
{{- default .Values.models.vllm.model .Values.models.vllm.servedModelName -}}
{{- end -}}

{{/* dict "root" $ "stage" "analyst" */}}
{{- define "trace2skill.modelBaseUrl" -}}
{{- $m := .root.Values.models -}}
{{- $s := index $m .stage -}}
{{- if $s.baseUrl -}}
{{- $s.baseUrl -}}
{{- else if $m.vllm.enabled -}}
{{- printf "http://%s:%v/v1" (include "trace2skill.vllmName" .root) $m.vllm.port -}}
{{- else -}}
{{- $m.external.baseUrl -}}
{{- end -}}
{{- end -}}

{{- define "trace2skill.modelName" -}}
{{- $m := .root.Values.models -}}
{{- $s := index $m .stage -}}
{{- if $s.model -}}
{{- $s.model -}}
{{- else if and $m.vllm.enabled (not $s.baseUrl) -}}
{{- include "trace2skill.vllmServedModel" .root -}}
{{- else -}}
{{- $m.defaultModel -}}
{{- end -}}
{{- end -}}

{{/* Secrets ---------------------------------------------------------------------------------------------------- */}}

{{- define "trace2skill.credentialsSecret" -}}
{{- if .Values.secrets.create -}}
{{- printf "%s-credentials" (include "trace2skill.fullname" .) -}}
{{- else -}}
{{- .Values.secrets.existingSecret -}}
{{- end -}}
{{- end -}}

{{- define "trace2skill.pgSecret" -}}
{{- if .Values.postgresql.cnpg.enabled -}}
{{- printf "%s-app" (include "trace2skill.pgCluster" .) -}}
{{- else -}}
{{- default (include "trace2skill.credentialsSecret" .) .Values.postgresql.external.existingSecret -}}
{{- end -}}
{{- end -}}

{{- define "trace2skill.pgPasswordKey" -}}
{{- if .Values.postgresql.cnpg.enabled -}}password{{- else -}}{{ .Values.postgresql.external.passwordKey }}{{- end -}}
{{- end -}}

{{- define "trace2skill.modelSecret" -}}
{{- default (include "trace2skill.credentialsSecret" .) .Values.models.external.existingSecret -}}
{{- end -}}

{{/* Pod settings shared by the four services ------------------------------------------------------------------- */}}

{{/* dict "root" $ "component" "trace-ingest" "port" 8081; written out in full (port number, scheme, initial delay,
     success threshold) as quarkus-kubernetes generates them. */}}
{{- define "trace2skill.probes" -}}
{{- $p := .root.Values.probes -}}
{{- range $probe := list (list "startupProbe" "started" $p.startup) (list "livenessProbe" "live" $p.liveness) (list "readinessProbe" "ready" $p.readiness) }}
{{ index $probe 0 }}:
  httpGet:
    path: /q/health/{{ index $probe 1 }}
    port: {{ $.port }}
    scheme: HTTP
  initialDelaySeconds: 0
  periodSeconds: {{ (index $probe 2).periodSeconds }}
  timeoutSeconds: {{ (index $probe 2).timeoutSeconds }}
  successThreshold: 1
  failureThreshold: {{ (index $probe 2).failureThreshold }}
{{- end }}
{{- end -}}

{{/* The Secret holding api-token: the credentials Secret, or the install-time generated one. */}}
{{- define "trace2skill.apiTokenSecret" -}}
{{- if and .Values.secrets.create (not .Values.secrets.apiToken) -}}
{{- printf "%s-api-token" (include "trace2skill.fullname" .) -}}
{{- else -}}
{{- include "trace2skill.credentialsSecret" . -}}
{{- end -}}
{{- end -}}
