// imagetool builds one OCI image from layer tarballs and a config and pushes it to a registry,
// using go-containerregistry as a library: the lab's bundle needs images built without docker.
//
//	imagetool -ref 127.0.0.1:5000/pause:3.10.2 -layer root.tar.gz -entrypoint /pause -user 65535
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

type list []string

func (l *list) String() string     { return strings.Join(*l, ",") }
func (l *list) Set(v string) error { *l = append(*l, v); return nil }

func main() {
	var layers, env, entrypoint, cmd list
	ref := flag.String("ref", "", "where to push, e.g. 127.0.0.1:5000/kube-apiserver:v1.37.2")
	user := flag.String("user", "", "user the image runs as")
	workdir := flag.String("workdir", "", "working directory")
	flag.Var(&layers, "layer", "gzipped layer tarball (repeat, bottom first)")
	flag.Var(&env, "env", "KEY=VALUE (repeat)")
	flag.Var(&entrypoint, "entrypoint", "entrypoint word (repeat)")
	flag.Var(&cmd, "cmd", "cmd word (repeat)")
	flag.Parse()
	if err := build(*ref, layers, env, entrypoint, cmd, *user, *workdir); err != nil {
		fmt.Fprintln(os.Stderr, "imagetool:", err)
		os.Exit(1)
	}
}

func build(ref string, layers, env, entrypoint, cmd []string, user, workdir string) error {
	if ref == "" || len(layers) == 0 {
		return fmt.Errorf("-ref and at least one -layer are required")
	}
	tag, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		return err
	}
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	for _, path := range layers {
		layer, err := tarball.LayerFromFile(path, tarball.WithMediaType(types.OCILayer))
		if err != nil {
			return fmt.Errorf("layer %s: %w", path, err)
		}
		if img, err = mutate.AppendLayers(img, layer); err != nil {
			return err
		}
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return err
	}
	cfg = cfg.DeepCopy()
	cfg.OS, cfg.Architecture = "linux", "amd64"
	cfg.Config.Env = env
	cfg.Config.Entrypoint = entrypoint
	cfg.Config.Cmd = cmd
	cfg.Config.User = user
	cfg.Config.WorkingDir = workdir
	if img, err = mutate.ConfigFile(img, cfg); err != nil {
		return err
	}
	return remote.Write(tag, img)
}
