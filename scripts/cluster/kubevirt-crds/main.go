// Command kubevirt-crds prints KubeVirt's VirtualMachine and VirtualMachineInstance CustomResourceDefinitions (a JSON List),
// with their OpenAPI schemas, as KubeVirt's operator builds them (pkg/virt-operator/resource/generate/components)
// at the release pinned in go.mod. Regenerate with scripts/cluster/kubevirt-crds/generate.sh.
package main

import (
	"encoding/json"
	"fmt"
	"os"

	extv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"

	"kubevirt.io/kubevirt/pkg/virt-operator/resource/generate/components"
)

func main() {
	generators := []func() (*extv1.CustomResourceDefinition, error){
		components.NewVirtualMachineCrd,
		components.NewVirtualMachineInstanceCrd,
	}
	list := map[string]any{"apiVersion": "v1", "kind": "List", "items": []any{}}
	for _, generate := range generators {
		crd, err := generate()
		if err != nil {
			fail(err)
		}
		crd.TypeMeta.APIVersion = "apiextensions.k8s.io/v1"
		crd.TypeMeta.Kind = "CustomResourceDefinition"
		list["items"] = append(list["items"].([]any), crd)
	}
	out, err := json.MarshalIndent(list, "", " ")
	if err != nil {
		fail(err)
	}
	fmt.Println(string(out))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
