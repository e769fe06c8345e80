{{/* Full name of the release's objects: the release name, with the chart name unless it contains it. */}}
{{- define "distillery.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "distillery.serviceAccountName" -}}
{{- default (include "distillery.fullname" .) .Values.serviceAccount.name -}}
{{- end -}}

{{- define "distillery.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end -}}

{{- define "distillery.labels" -}}
{{ include "distillery.selectorLabels" . }}
app.kubernetes.io/part-of: distillery
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/*
The operator's rights in the namespaces it watches: exactly the calls it makes (operator/README.md,
"What the operator calls"). The same rules go into the ClusterRole (all namespaces) or into one
Role per watched namespace. RbacIT checks them against a real API server.
*/}}
{{- define "distillery.operatorRules" -}}
# DistillationJob controller: its primary resource and status.
- apiGroups: [distillery.io]
  resources: [distillationjobs]
  verbs: [get, list, watch]
- apiGroups: [distillery.io]
  resources: [distillationjobs/status]
  verbs: [patch]
# Its children (dependent resources): trainer ConfigMap, output claim, trainer Job.
- apiGroups: [""]
  resources: [configmaps, persistentvolumeclaims]
  verbs: [get, list, watch, create, patch, update, delete]
- apiGroups: [batch]
  resources: [jobs]
  verbs: [get, list, watch, create, patch, update, delete]
# Trainer pods: read only (status, IP for /progress, termination message).
- apiGroups: [""]
  resources: [pods]
  verbs: [get, list, watch]
- apiGroups: [""]
  resources: [events]
  verbs: [create]
# Kueue's Workload of a queued trainer Job: why it is not admitted (a missing LocalQueue) or was
# evicted. Read only; without Kueue's CRDs the operator reads nothing.
- apiGroups: [kueue.x-k8s.io]
  resources: [workloads]
  verbs: [get, list, watch]
# Whether a job's namespace is terminating, read only when its trainer Job vanished (a Role in
# that namespace is enough: RBAC treats a namespace as inside itself).
- apiGroups: [""]
  resources: [namespaces]
  verbs: [get]
# StudentDeployment controller: its primary resource and status; it reads DistillationJobs
# (above) to resolve the model source.
- apiGroups: [distillery.io]
  resources: [studentdeployments]
  verbs: [get, list, watch]
# Patch: only to remove the distillery.io/canary-decision annotation once acted on.
- apiGroups: [distillery.io]
  resources: [studentdeployments]
  verbs: [patch]
- apiGroups: [distillery.io]
  resources: [studentdeployments/status]
  verbs: [patch]
# Its children: stable and canary serving Deployments, the Service, the HPA (and a canary's
# probe Job, under batch/jobs above; its pods are read through pods above).
- apiGroups: [apps]
  resources: [deployments]
  verbs: [get, list, watch, create, patch, update, delete]
- apiGroups: [""]
  resources: [services]
  verbs: [get, list, watch, create, patch, update, delete]
- apiGroups: [autoscaling]
  resources: [horizontalpodautoscalers]
  verbs: [get, list, watch, create, patch, update, delete]
{{- end -}}
