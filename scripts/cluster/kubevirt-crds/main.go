// Command kubevirt-crds prints KubeVirt's VirtualMachine and VirtualMachineInstance CustomResourceDefinitions,
// with their OpenAPI schemas, as KubeVirt's operator builds them (pkg/virt-operator/resource/generate/components)
// at the release pinned in go.mod. Regenerate with scripts/cluster/kubevirt-crds/generate.sh.
package main

import (
	"fmt"
	"os"

	extv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/yaml"

	"kubevirt.io/kubevirt/pkg/virt-operator/resource/generate/components"
)

func main() {
	generators := []func() (*extv1.CustomResourceDefinition, error){
		components.NewVirtualMachineCrd,
		components.NewVirtualMachineInstanceCrd,
	}
	for _, generate := range generators {
		crd, err := generate()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		out, err := yaml.Marshal(crd)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Println("---")
		os.Stdout.Write(out)
	}
}
