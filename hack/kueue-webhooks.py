#!/usr/bin/env python3
"""Kueue's webhook configurations for a manager running as a local process (hack/cluster).

Reads the module's config/components/webhook/manifests.yaml as JSON (converted by `kubectl create
--dry-run=client -o json`: one object after another) on stdin and prints a List for `kubectl apply -f -`:
only the webhooks of the Kueue API and of batch/v1 Jobs (the one integration the local manager
enables; any other webhook would answer 404 and, with failurePolicy Fail, block that kind for
everyone), each pointing at https://127.0.0.1:PORT/<its path> with the local CA as caBundle.

Usage: hack/kueue-webhooks.py PORT CA_FILE < manifests.json
"""
import base64
import json
import sys


def kept(webhook):
    for rule in webhook.get("rules", []):
        groups = rule.get("apiGroups", [])
        if "kueue.x-k8s.io" in groups:
            return True
        if "batch" in groups and "jobs" in rule.get("resources", []):
            return True
    return False


def main():
    port, ca_file = sys.argv[1], sys.argv[2]
    with open(ca_file, "rb") as f:
        ca_bundle = base64.b64encode(f.read()).decode()
    items = []
    text, decoder, at = sys.stdin.read(), json.JSONDecoder(), 0
    while text[at:].strip():  # one object after another, or a List
        obj, end = decoder.raw_decode(text, at + len(text[at:]) - len(text[at:].lstrip()))
        items.extend(obj["items"] if obj.get("kind") == "List" else [obj])
        at = end
    out = []
    for config in items:
        webhooks = [w for w in config.get("webhooks", []) if kept(w)]
        for w in webhooks:
            path = w["clientConfig"]["service"]["path"]
            w["clientConfig"] = {"url": f"https://127.0.0.1:{port}{path}", "caBundle": ca_bundle}
        if not webhooks:
            continue
        out.append(
            {
                "apiVersion": config["apiVersion"],
                "kind": config["kind"],
                # The manifests' names get kustomize's prefix in a real install.
                "metadata": {"name": "kueue-" + config["metadata"]["name"]},
                "webhooks": webhooks,
            }
        )
    if not out:
        sys.exit("no Kueue or batch/v1 Job webhooks in the manifests: has their layout changed?")
    json.dump({"apiVersion": "v1", "kind": "List", "items": out}, sys.stdout)


if __name__ == "__main__":
    main()
