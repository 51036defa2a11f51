//go:build tools

// Package tools pins the Kubernetes control-plane programs the cluster test tier builds.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
)
