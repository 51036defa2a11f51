//go:build tools

// Package tools pins KubeVirt's own programs the kubevirt test tier builds: its API server and controller (the
// control plane, without virt-operator, virt-handler or virt-launcher, which need libvirt) and its command-line
// client.
package tools

import (
	_ "kubevirt.io/kubevirt/cmd/virt-api"
	_ "kubevirt.io/kubevirt/cmd/virt-controller"
	_ "kubevirt.io/kubevirt/cmd/virtctl"
)
