//go:build tools

// Package tools pins what generates CDI's CustomResourceDefinitions when cdi-crds is built: controller-gen and
// CDI's published API module, whose types carry the kubebuilder markers it reads.
package tools

import (
	_ "kubevirt.io/containerized-data-importer-api/pkg/apis/core/v1beta1"
	_ "sigs.k8s.io/controller-tools/cmd/controller-gen"
)
