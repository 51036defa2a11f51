// Command pulumi-resource-kubernetes: the Pulumi Kubernetes provider plugin, built from Go modules.
//
// Upstream's cmd/pulumi-resource-kubernetes/main.go embeds schema-embed.json and
// terraform-mapping-embed.json, which `go generate` writes (schema.json with the version set) and
// which are not in the module zip. This is the same program: scripts/ensure-cluster.sh copies the schema.json and
// terraform-mapping.json that the module zip does hold next to this file, and the version comes
// from -ldflags "-X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=...".
package main

import (
	"bytes"
	_ "embed"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

//go:embed schema.json
var schema []byte

//go:embed terraform-mapping.json
var terraformMapping []byte

func main() {
	provider.Serve("kubernetes", version.Version, withVersion(schema, version.Version), terraformMapping)
}

// withVersion sets the schema's top-level "version" (absent in schema.json), as upstream's generate.go does.
func withVersion(s []byte, v string) []byte {
	s = bytes.TrimLeft(s, " \t\r\n")
	if v == "" || len(s) == 0 || s[0] != '{' {
		return s
	}
	field := `{"version":` + strconv.Quote(strings.TrimPrefix(v, "v")) + ","
	return append([]byte(field), s[1:]...)
}
