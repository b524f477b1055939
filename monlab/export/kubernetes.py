"""One namespace per student on a Kubernetes cluster: a pure renderer over the StackSpec of `monlab up`.

Each namespace holds the same three services (Deployment + Service), their config as ConfigMaps
mounted where `up` puts the files, PVCs for the data volumes, a Secret for the Grafana password,
and a NetworkPolicy that lets in only traffic from pods of the same namespace.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from monlab.export.source import ConfigMount, ExportFile, config_mounts, service_volumes
from monlab.project import APP_METRICS_PORT, LABEL_PROJECT, LABEL_SERVICE
from monlab.stack.spec import ServiceSpec, StackSpec

KUSTOMIZATION = "kustomization.yaml"
KUSTOMIZE_API = "kustomize.config.k8s.io/v1beta1"
SECRET_NAME = "grafana-admin"
SECRET_KEY = "password"
SECRET_FILE = "secret.yaml"
NETWORK_POLICY = "same-namespace-only"
PORT_NAME = "http"

# Per service: what a classroom cluster should reserve and cap, the data it keeps, and its image's user.
RESOURCES = {
    "app": {"requests": {"cpu": "50m", "memory": "96Mi"}, "limits": {"cpu": "500m", "memory": "256Mi"}},
    "prometheus": {"requests": {"cpu": "100m", "memory": "256Mi"}, "limits": {"cpu": "1", "memory": "1Gi"}},
    "grafana": {"requests": {"cpu": "100m", "memory": "192Mi"}, "limits": {"cpu": "500m", "memory": "512Mi"}},
}
STORAGE = {"prometheus": "2Gi", "grafana": "1Gi"}
RUN_AS = {"app": 65534, "prometheus": 65534, "grafana": 472}  # the users the images run as (REFERENCE.md)
READY_PATH = {"app": "/healthz", "prometheus": "/-/ready", "grafana": "/api/health"}
METRICS_PORT_NAME = "metrics"  # the app's /metrics and /healthz, answered however busy its workers are
READY_PORT = {"app": METRICS_PORT_NAME}

_NAMESPACE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def valid_namespace(name: str) -> bool:
    return len(name) <= 63 and bool(_NAMESPACE.match(name))


def class_export(specs: list[StackSpec], passwords: dict[str, str], app_image: str) -> dict[str, ExportFile]:
    """Every file for `kubectl apply -k DIR`: a directory per namespace, one kustomization over them."""
    files: dict[str, ExportFile] = {KUSTOMIZATION: ExportFile(_kustomization([s.project.name for s in specs], top=True))}
    for spec in specs:
        namespace = spec.project.name
        documents = namespace_documents(spec, passwords[namespace], app_image)
        for name, objects in documents.items():
            mode = 0o600 if name == SECRET_FILE else 0o644
            files[f"{namespace}/{name}"] = ExportFile(_yaml_documents(objects), mode)
        files[f"{namespace}/{KUSTOMIZATION}"] = ExportFile(_kustomization(list(documents)))
    return files


def namespace_documents(spec: StackSpec, password: str, app_image: str) -> dict[str, list[dict[str, Any]]]:
    """file name -> the objects in it, for one student's namespace."""
    namespace = spec.project.name
    documents = {
        "namespace.yaml": [_namespace(spec)],
        "network-policy.yaml": [_network_policy(namespace)],
        SECRET_FILE: [_secret(namespace, password)],
    }
    secrets = {password: (SECRET_NAME, SECRET_KEY)} if password else {}
    for service in spec.services:
        image = app_image if service.service == "app" else service.create.image
        objects = [_config_map(namespace, mount) for mount in config_mounts(service)]
        objects += [_pvc(namespace, service.service, key) for key in service_volumes(spec, service)]
        objects += [_deployment(spec, service, image, secrets), _service(namespace, service)]
        documents[f"{service.service}.yaml"] = objects
    return documents


def selector(namespace: str, service: str) -> dict[str, str]:
    return {LABEL_PROJECT: namespace, LABEL_SERVICE: service}


def config_map_name(mount: ConfigMount) -> str:
    return re.sub(r"[^a-z0-9-]", "-", f"{mount.service}-{mount.entry}".lower())


def config_key(relative: str) -> str:
    """ConfigMap keys allow no '/'; the mount's `items` put each key back at its path."""
    return relative.replace("/", "_")


def _meta(namespace: str, name: str, service: str | None = None) -> dict[str, Any]:
    labels = {LABEL_PROJECT: namespace, "app.kubernetes.io/part-of": "monlab"}
    if service:
        labels |= {LABEL_SERVICE: service, "app.kubernetes.io/name": service}
    return {"name": name, "namespace": namespace, "labels": labels}


def _namespace(spec: StackSpec) -> dict[str, Any]:
    meta = _meta(spec.project.name, spec.project.name)
    del meta["namespace"]
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": meta}


def _network_policy(namespace: str) -> dict[str, Any]:
    """Ingress only from pods of this namespace; `kubectl port-forward` goes through the kubelet, not
    the pod network, so it still reaches every service."""
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": _meta(namespace, NETWORK_POLICY),
        "spec": {"podSelector": {}, "policyTypes": ["Ingress"], "ingress": [{"from": [{"podSelector": {}}]}]},
    }


def _secret(namespace: str, password: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1", "kind": "Secret", "metadata": _meta(namespace, SECRET_NAME, "grafana"),
        "type": "Opaque", "stringData": {SECRET_KEY: password},
    }


def _config_map(namespace: str, mount: ConfigMount) -> dict[str, Any]:
    return {
        "apiVersion": "v1", "kind": "ConfigMap", "metadata": _meta(namespace, config_map_name(mount), mount.service),
        "data": {config_key(relative): text for relative, text in mount.files.items()},
    }


def _pvc(namespace: str, service: str, key: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": _meta(namespace, key, service),
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": STORAGE[service]}}},
    }


def _service(namespace: str, service: ServiceSpec) -> dict[str, Any]:
    (port,) = service.create.ports
    return {
        "apiVersion": "v1", "kind": "Service", "metadata": _meta(namespace, service.service, service.service),
        "spec": {
            "selector": selector(namespace, service.service),
            "ports": [{"name": PORT_NAME, "port": port, "targetPort": PORT_NAME}] + (
                [{"name": METRICS_PORT_NAME, "port": APP_METRICS_PORT, "targetPort": METRICS_PORT_NAME}]
                if service.service == "app" else []),
        },
    }


def _deployment(spec: StackSpec, service: ServiceSpec, image: str, secrets: dict[str, tuple[str, str]]) -> dict[str, Any]:
    namespace, name = spec.project.name, service.service
    create = service.create
    (port,) = create.ports
    volumes, mounts = [], []
    for key, target in service_volumes(spec, service).items():
        volumes.append({"name": key, "persistentVolumeClaim": {"claimName": key}})
        mounts.append({"name": key, "mountPath": target})
    for mount in config_mounts(service):
        volume = "config-" + config_map_name(mount).removeprefix(f"{name}-")
        items = [{"key": config_key(relative), "path": relative} for relative in mount.files]
        volumes.append({"name": volume, "configMap": {"name": config_map_name(mount), "items": items}})
        mounted = {"name": volume, "mountPath": mount.target, "readOnly": True}
        mounts.append(mounted | ({"subPath": mount.entry} if mount.is_file else {}))
    container: dict[str, Any] = {
        "name": name,
        "image": image,
        "imagePullPolicy": "IfNotPresent",
        "ports": [{"name": PORT_NAME, "containerPort": port}] + (
            [{"name": METRICS_PORT_NAME, "containerPort": APP_METRICS_PORT}] if name == "app" else []),
        "resources": RESOURCES[name],
        "readinessProbe": {"httpGet": {"path": READY_PATH[name], "port": READY_PORT.get(name, PORT_NAME)}, "periodSeconds": 5},
        "securityContext": {"allowPrivilegeEscalation": False},
    }
    if create.command:
        container["args"] = list(create.command)  # Docker's command is Kubernetes' args: the image's entrypoint stays
    if create.environment:
        container["env"] = [_env(key, value, secrets) for key, value in create.environment.items()]
    if mounts:
        container["volumeMounts"] = mounts
    pod: dict[str, Any] = {
        "securityContext": {"runAsNonRoot": True, "runAsUser": RUN_AS[name], "fsGroup": RUN_AS[name]},
        "containers": [container],
    }
    if volumes:
        pod["volumes"] = volumes
    labels = _meta(namespace, name, name)["labels"]
    return {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": _meta(namespace, name, name),
        "spec": {
            "replicas": 1,
            "strategy": {"type": "Recreate"},  # a ReadWriteOnce data volume is held by one pod at a time
            "selector": {"matchLabels": selector(namespace, name)},
            "template": {"metadata": {"labels": labels}, "spec": pod},
        },
    }


def _env(key: str, value: str, secrets: dict[str, tuple[str, str]]) -> dict[str, Any]:
    if value in secrets:
        secret, secret_key = secrets[value]
        return {"name": key, "valueFrom": {"secretKeyRef": {"name": secret, "key": secret_key}}}
    return {"name": key, "value": value}


def _kustomization(resources: list[str], top: bool = False) -> str:
    header = ""
    if top:
        header = ("# monlab stacks, one namespace per student, exported by `monlab export kubernetes`.\n"
                  "# Apply: kubectl apply -k .   Labs: kubectl -n NS port-forward svc/prometheus 9090 (and svc/app 5000),\n"
                  "# then monlab lab business --prometheus http://127.0.0.1:9090 --app http://127.0.0.1:5000\n")
    body = {"apiVersion": KUSTOMIZE_API, "kind": "Kustomization", "resources": resources}
    return header + yaml.safe_dump(body, sort_keys=False)


class _Dumper(yaml.SafeDumper):
    """Multi-line strings (the config files inside ConfigMaps) as literal blocks a person can read."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def _yaml_documents(objects: list[dict[str, Any]]) -> str:
    return yaml.dump_all(objects, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=1000, allow_unicode=True)
