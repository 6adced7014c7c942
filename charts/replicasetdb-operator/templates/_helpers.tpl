{{- define "rsdb.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "rsdb.fullname" -}}
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

{{- define "rsdb.selectorLabels" -}}
app.kubernetes.io/name: {{ include "rsdb.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "rsdb.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "rsdb.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: operator
{{- end }}

{{- define "rsdb.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "rsdb.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Leader election is forced on with more than one replica: two leaders would fight over the same databases. */}}
{{- define "rsdb.leaderElect" -}}
{{- if and (gt (int .Values.replicaCount) 1) (not .Values.leaderElection.enabled) }}
{{- fail "leaderElection.enabled must be true when replicaCount > 1 (only the Lease holder may reconcile)" }}
{{- end }}
{{- .Values.leaderElection.enabled | ternary "true" "false" }}
{{- end }}

{{/*
The rules the operator needs on ReplicaSetDBs and their children, wherever it manages them. Verbs are the ones
its code uses (see operator/src/kube and controller-runtime/src):
- replicasetdbs: list/watch (informer), get (fresh read before a reconcile), patch (the finalizer, by a JSON patch
  with a test op). Never update: every write is a patch, so no update or delete right is granted.
- replicasetdbs/status: patch (the status is replaced by a JSON patch through the subresource).
- replicasetdbs/finalizers: update, so that ownerReferences with blockOwnerDeletion pointing at a ReplicaSetDB are
  accepted where the OwnerReferencesPermissionEnforcement admission plugin runs.
- configmaps: the endpoints ConfigMap, server-side applied (patch; create for the first apply), watched (list/watch)
  so a hand edit or deletion is reverted, deleted on the finalizer path.
- secrets: the credentials Secret, read, created once, and patched only to copy username/password into
  DB_USERNAME/DB_PASSWORD (a JSON patch whose test ops fail if the password changed meanwhile); never updated,
  listed or deleted.
- events (core/v1): one per mutating AWS call and per failure; patch counts a repeat on the existing event.
*/}}
{{- define "rsdb.managedRules" -}}
- apiGroups: ["db.servio.io"]
  resources: ["replicasetdbs"]
  verbs: ["get", "list", "watch", "patch"]
- apiGroups: ["db.servio.io"]
  resources: ["replicasetdbs/status"]
  verbs: ["patch"]
- apiGroups: ["db.servio.io"]
  resources: ["replicasetdbs/finalizers"]
  verbs: ["update"]
- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "create", "patch"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
{{- end }}

{{/* Whole seconds of a duration written like the operator's flags (500ms, 15s, 2m, 1h); rounds up. */}}
{{- define "rsdb.seconds" -}}
{{- $d := toString . -}}
{{- if hasSuffix "ms" $d -}}
{{- div (add (trimSuffix "ms" $d | int) 999) 1000 -}}
{{- else if hasSuffix "s" $d -}}
{{- trimSuffix "s" $d | int -}}
{{- else if hasSuffix "m" $d -}}
{{- mul (trimSuffix "m" $d | int) 60 -}}
{{- else if hasSuffix "h" $d -}}
{{- mul (trimSuffix "h" $d | int) 3600 -}}
{{- else -}}
{{- fail (printf "shutdownTimeout %q: expected a duration such as 25s" $d) -}}
{{- end -}}
{{- end }}
