{{/* The chart name, or nameOverride; it is the app.kubernetes.io/name label. */}}
{{- define "vernier.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release's full name: fullnameOverride, else the release name, with the chart name appended unless it holds it. */}}
{{- define "vernier.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Name of the operator's Deployment, ClusterRole and their kin: "<fullname>-operator". */}}
{{- define "vernier.operatorName" -}}
{{- printf "%s-operator" (include "vernier.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "vernier.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels the pod selector uses: they must never change across upgrades. */}}
{{- define "vernier.selectorLabels" -}}
app.kubernetes.io/name: {{ include "vernier.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end }}

{{/* Labels of every object the chart creates. */}}
{{- define "vernier.labels" -}}
helm.sh/chart: {{ include "vernier.chart" . }}
{{ include "vernier.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: vernier
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "vernier.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "vernier.operatorName" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The Vernier image: repository:tag, the tag defaulting to the chart's appVersion. */}}
{{- define "vernier.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{- define "vernier.leaderElectionNamespace" -}}
{{- default .Release.Namespace .Values.leaderElection.namespace }}
{{- end }}

{{/* The `vernier operator` arguments the values map to, as a YAML list. */}}
{{- define "vernier.operatorArgs" -}}
{{- $args := list "operator" }}
{{- $serverImage := default (include "vernier.image" .) .Values.operator.serverImage }}
{{- $args = append $args (printf "--server-image=%s" $serverImage) }}
{{- $args = append $args (printf "--cuda-server-image=%s" (default (printf "%s-cuda" $serverImage) .Values.operator.cudaServerImage)) }}
{{- $args = append $args (printf "--image-pull-policy=%s" .Values.operator.serverImagePullPolicy) }}
{{- with .Values.operator.watchNamespace }}
{{- $args = append $args (printf "--namespace=%s" .) }}
{{- end }}
{{- with .Values.operator.gpuNodeSelector }}
{{- $selector := list }}
{{- range $key, $value := . }}
{{- $selector = append $selector (printf "%s=%s" $key $value) }}
{{- end }}
{{- $args = append $args (printf "--gpu-node-selector=%s" (join "," $selector)) }}
{{- end }}
{{- $args = append $args (printf "--benchmark-ttl-seconds=%d" (int .Values.operator.benchmarkTtlSeconds)) }}
{{- $args = append $args (printf "--workers=%d" (int .Values.operator.workers)) }}
{{- $args = append $args (printf "--resync-minutes=%d" (int .Values.operator.resyncMinutes)) }}
{{- $args = append $args (printf "--log-level=%s" .Values.operator.logLevel) }}
{{- $args = append $args (printf "--metrics-port=%d" (int .Values.metrics.port)) }}
{{- if .Values.leaderElection.enabled }}
{{- $args = append $args "--leader-elect" }}
{{- $args = append $args (printf "--leader-election-namespace=%s" (include "vernier.leaderElectionNamespace" .)) }}
{{- $args = append $args (printf "--leader-election-id=%s" .Values.leaderElection.id) }}
{{- $args = append $args (printf "--lease-duration-seconds=%d" (int .Values.leaderElection.leaseDurationSeconds)) }}
{{- end }}
{{- toYaml (concat $args .Values.operator.extraArgs) }}
{{- end }}
