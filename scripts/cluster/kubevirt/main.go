// Command kubevirt-install prints the objects virt-operator would install for KubeVirt's control plane (a JSON
// List), as KubeVirt's operator builds them (pkg/virt-operator/resource/generate/{components,rbac}) at the
// release pinned in go.mod: every CustomResourceDefinition, the service accounts and RBAC of virt-api,
// virt-controller and virt-handler, the aggregated APIServices, the mutating and validating webhook
// configurations and the priority class of KubeVirt's pods. Objects are as KubeVirt makes them (Services by
// name, no CA bundles); the test that installs them points them at the loopback virt-api.
//
// Usage: kubevirt-install [namespace] (default kubevirt).
package main

import (
	"encoding/json"
	"fmt"
	"os"

	extv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"

	"kubevirt.io/kubevirt/pkg/virt-operator/resource/generate/components"
	"kubevirt.io/kubevirt/pkg/virt-operator/resource/generate/rbac"
)

var crdGenerators = []func() (*extv1.CustomResourceDefinition, error){
	components.NewVirtualMachineInstanceCrd,
	components.NewVirtualMachineCrd,
	components.NewPresetCrd,
	components.NewReplicaSetCrd,
	components.NewVirtualMachineInstanceMigrationCrd,
	components.NewKubeVirtCrd,
	components.NewVirtualMachinePoolCrd,
	components.NewVirtualMachineSnapshotCrd,
	components.NewVirtualMachineSnapshotContentCrd,
	components.NewVirtualMachineRestoreCrd,
	components.NewVirtualMachineExportCrd,
	components.NewVirtualMachineInstancetypeCrd,
	components.NewVirtualMachineClusterInstancetypeCrd,
	components.NewVirtualMachinePreferenceCrd,
	components.NewVirtualMachineClusterPreferenceCrd,
	components.NewMigrationPolicyCrd,
	components.NewVirtualMachineCloneCrd,
}

func main() {
	namespace := "kubevirt"
	if len(os.Args) > 1 {
		namespace = os.Args[1]
	}
	items := []any{}
	for _, generate := range crdGenerators {
		crd, err := generate()
		if err != nil {
			fail(err)
		}
		crd.TypeMeta.APIVersion = "apiextensions.k8s.io/v1"
		crd.TypeMeta.Kind = "CustomResourceDefinition"
		items = append(items, crd)
	}
	for _, o := range rbac.GetAllCluster() {
		items = append(items, o)
	}
	for _, objects := range [][]any{
		toAny(rbac.GetAllApiServer(namespace)),
		toAny(rbac.GetAllController(namespace)),
		toAny(rbac.GetAllHandler(namespace)),
	} {
		items = append(items, objects...)
	}
	for _, s := range components.NewVirtAPIAPIServices(namespace) {
		items = append(items, s)
	}
	items = append(items,
		components.NewVirtAPIMutatingWebhookConfiguration(namespace),
		components.NewVirtAPIValidatingWebhookConfiguration(namespace),
		components.NewKubeVirtPriorityClassCR(),
	)
	out, err := json.MarshalIndent(map[string]any{"apiVersion": "v1", "kind": "List", "items": items}, "", " ")
	if err != nil {
		fail(err)
	}
	fmt.Println(string(out))
}

func toAny[T any](objects []T) []any {
	out := make([]any, len(objects))
	for i, o := range objects {
		out[i] = o
	}
	return out
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
