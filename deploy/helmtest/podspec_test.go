package helmtest

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// The kubelet's part of the pod run: a rendered pod spec turned into podman
// arguments. Host networking stands in for the pod's network namespace, and
// 127.0.0.1 for the pod and node IPs. Whatever the chart renders that this
// does not model is a test failure rather than silently ignored.

// podContext is what the kubelet supplies to the containers of one pod.
type podContext struct {
	name, namespace, nodeName string
	ip                        string // status.podIP and status.hostIP
	imageUser                 string // the image's USER, used when runAsUser is unset
	secrets                   map[string]corev1.Secret
	configMaps                map[string]corev1.ConfigMap
	volumes                   map[string]string // volume name -> directory on this machine
	// readOnlyVolumes are configMap and secret volumes, which the kubelet
	// always mounts read-only.
	readOnlyVolumes map[string]bool
}

// prepareVolumes gives every volume of the pod a directory, as the kubelet
// would: ConfigMap and Secret items written out, hostPath created the way
// DirectoryOrCreate does (root, 0755), emptyDir world-writable.
func (pc *podContext) prepareVolumes(t *testing.T, spec corev1.PodSpec) {
	t.Helper()
	pc.volumes, pc.readOnlyVolumes = map[string]string{}, map[string]bool{}
	for _, v := range spec.Volumes {
		dir := t.TempDir()
		switch {
		case v.ConfigMap != nil:
			cm, ok := pc.configMaps[v.ConfigMap.Name]
			if !ok {
				t.Fatalf("volume %s: ConfigMap %s is not rendered", v.Name, v.ConfigMap.Name)
			}
			writeVolumeItems(t, dir, v.Name, stringBytes(cm.Data), v.ConfigMap.Items, v.ConfigMap.DefaultMode)
			pc.readOnlyVolumes[v.Name] = true
		case v.Secret != nil:
			s, ok := pc.secrets[v.Secret.SecretName]
			if !ok {
				t.Fatalf("volume %s: Secret %s is not rendered", v.Name, v.Secret.SecretName)
			}
			writeVolumeItems(t, dir, v.Name, secretData(s), v.Secret.Items, v.Secret.DefaultMode)
			pc.readOnlyVolumes[v.Name] = true
		case v.HostPath != nil:
			if v.HostPath.Type == nil || *v.HostPath.Type != corev1.HostPathDirectoryOrCreate {
				t.Fatalf("volume %s: hostPath type %v is not modelled (DirectoryOrCreate is)", v.Name, v.HostPath.Type)
			}
			chmod(t, dir, 0o755)
		case v.EmptyDir != nil:
			chmod(t, dir, 0o777)
		default:
			t.Fatalf("volume %s: only configMap, secret, hostPath and emptyDir volumes are modelled", v.Name)
		}
		pc.volumes[v.Name] = dir
	}
}

func chmod(t *testing.T, path string, mode os.FileMode) {
	t.Helper()
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

func stringBytes(data map[string]string) map[string][]byte {
	out := make(map[string][]byte, len(data))
	for k, v := range data {
		out[k] = []byte(v)
	}
	return out
}

// secretData merges data and stringData as the API server does.
func secretData(s corev1.Secret) map[string][]byte {
	out := make(map[string][]byte, len(s.Data)+len(s.StringData))
	for k, v := range s.Data {
		out[k] = v
	}
	for k, v := range s.StringData {
		out[k] = []byte(v)
	}
	return out
}

// writeVolumeItems writes the selected keys (all keys without items) with
// the volume's file mode (Kubernetes' default is 0644), readable by any uid.
func writeVolumeItems(t *testing.T, dir, volume string, data map[string][]byte, items []corev1.KeyToPath, defaultMode *int32) {
	t.Helper()
	chmod(t, dir, 0o755)
	mode := os.FileMode(0o644)
	if defaultMode != nil {
		mode = os.FileMode(*defaultMode)
	}
	if len(items) == 0 {
		for k := range data {
			items = append(items, corev1.KeyToPath{Key: k, Path: k})
		}
	}
	for _, it := range items {
		b, ok := data[it.Key]
		if !ok {
			t.Fatalf("volume %s: key %s is not in its source", volume, it.Key)
		}
		if filepath.IsAbs(it.Path) || strings.Contains(it.Path, "..") || strings.Contains(it.Path, "/") {
			t.Fatalf("volume %s: item path %q is not modelled", volume, it.Path)
		}
		m := mode
		if it.Mode != nil {
			m = os.FileMode(*it.Mode)
		}
		p := filepath.Join(dir, it.Path)
		if err := os.WriteFile(p, b, m); err != nil {
			t.Fatal(err)
		}
		chmod(t, p, m) // WriteFile's mode is filtered by the umask
	}
}

// runArgs returns the arguments of `podman run` (after "run") for container
// c of the pod: everything the rendered spec sets, then the image and the
// command. envFile receives the environment, so keys never show in a
// process list or a failure message.
func (pc *podContext) runArgs(t *testing.T, spec corev1.PodSpec, c corev1.Container, name, image, envFile string) []string {
	t.Helper()
	args := []string{"--name", name, "--pull=never", "--network", "host",
		"--ulimit", "nofile=20000:20000", "--ulimit", "nproc=1000:1000"}
	args = append(args, pc.securityArgs(t, spec, c)...)
	args = append(args, resourceArgs(t, c)...)

	var env strings.Builder
	if len(c.EnvFrom) > 0 {
		t.Fatalf("container %s: envFrom is not modelled", c.Name)
	}
	for _, e := range c.Env {
		v := pc.envValue(t, c.Name, e)
		if strings.ContainsAny(v, "\n\r") {
			t.Fatalf("container %s: env %s has a line break, which --env-file cannot carry", c.Name, e.Name)
		}
		fmt.Fprintf(&env, "%s=%s\n", e.Name, v)
	}
	if err := os.WriteFile(envFile, []byte(env.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	args = append(args, "--env-file", envFile)

	for _, m := range c.VolumeMounts {
		dir, ok := pc.volumes[m.Name]
		if !ok {
			t.Fatalf("container %s mounts volume %s, which the pod does not define", c.Name, m.Name)
		}
		if m.SubPath != "" || m.SubPathExpr != "" {
			t.Fatalf("container %s: subPath mounts are not modelled", c.Name)
		}
		opt := "rw"
		if m.ReadOnly || pc.readOnlyVolumes[m.Name] {
			opt = "ro"
		}
		args = append(args, "--volume", dir+":"+m.MountPath+":"+opt)
	}
	if c.WorkingDir != "" {
		args = append(args, "--workdir", c.WorkingDir)
	}
	// command replaces the image's ENTRYPOINT, args its CMD.
	if len(c.Command) > 0 {
		args = append(args, "--entrypoint", c.Command[0])
		if len(c.Command) > 1 {
			t.Fatalf("container %s: a command with arguments is not modelled; use args", c.Name)
		}
	}
	args = append(args, image)
	return append(args, c.Args...)
}

// securityArgs maps the pod's and the container's security contexts (the
// container's fields win) and refuses to run what the kubelet would refuse.
func (pc *podContext) securityArgs(t *testing.T, spec corev1.PodSpec, c corev1.Container) []string {
	t.Helper()
	var user, group *int64
	var nonRoot *bool
	seccomp := ""
	if psc := spec.SecurityContext; psc != nil {
		if psc.FSGroup != nil || len(psc.Sysctls) > 0 {
			t.Fatal("pod securityContext fsGroup and sysctls are not modelled")
		}
		user, group, nonRoot = psc.RunAsUser, psc.RunAsGroup, psc.RunAsNonRoot
		if psc.SeccompProfile != nil {
			seccomp = string(psc.SeccompProfile.Type)
		}
	}
	var args []string
	if sc := c.SecurityContext; sc != nil {
		if sc.RunAsUser != nil {
			user = sc.RunAsUser
		}
		if sc.RunAsGroup != nil {
			group = sc.RunAsGroup
		}
		if sc.RunAsNonRoot != nil {
			nonRoot = sc.RunAsNonRoot
		}
		if sc.SeccompProfile != nil {
			seccomp = string(sc.SeccompProfile.Type)
		}
		if sc.Privileged != nil && *sc.Privileged {
			t.Fatalf("container %s is privileged", c.Name)
		}
		if sc.ReadOnlyRootFilesystem != nil && *sc.ReadOnlyRootFilesystem {
			// No tmpfs on /tmp, /run: Kubernetes adds none either.
			args = append(args, "--read-only", "--read-only-tmpfs=false")
		}
		if sc.AllowPrivilegeEscalation != nil && !*sc.AllowPrivilegeEscalation {
			args = append(args, "--security-opt", "no-new-privileges")
		}
		if caps := sc.Capabilities; caps != nil {
			for _, d := range caps.Drop {
				args = append(args, "--cap-drop", string(d))
			}
			for _, a := range caps.Add {
				args = append(args, "--cap-add", string(a))
			}
		}
	}
	switch seccomp {
	case "", string(corev1.SeccompProfileTypeRuntimeDefault):
		// podman's default profile is the runtime default.
	case string(corev1.SeccompProfileTypeUnconfined):
		args = append(args, "--security-opt", "seccomp=unconfined")
	default:
		t.Fatalf("container %s: seccomp profile %s is not modelled", c.Name, seccomp)
	}

	uid := pc.imageUser
	if user != nil {
		uid = strconv.FormatInt(*user, 10)
	}
	if uid == "" {
		uid = "0"
	}
	uidOnly, imageGroup, _ := strings.Cut(uid, ":")
	if nonRoot != nil && *nonRoot && (uidOnly == "0" || uidOnly == "root") {
		t.Fatalf("container %s has runAsNonRoot but would run as root: the kubelet refuses to start it", c.Name)
	}
	if _, err := strconv.Atoi(uidOnly); err != nil && nonRoot != nil && *nonRoot {
		t.Fatalf("container %s has runAsNonRoot and a non-numeric user %q: the kubelet refuses to start it", c.Name, uidOnly)
	}
	userArg := uidOnly
	switch {
	case group != nil:
		userArg += ":" + strconv.FormatInt(*group, 10)
	case user == nil && imageGroup != "":
		userArg += ":" + imageGroup
	}
	return append(args, "--user", userArg)
}

// resourceArgs applies the limits (requests only matter to the scheduler).
func resourceArgs(t *testing.T, c corev1.Container) []string {
	t.Helper()
	var args []string
	for name, q := range c.Resources.Limits {
		switch name {
		case corev1.ResourceMemory:
			args = append(args, "--memory", strconv.FormatInt(q.Value(), 10))
		case corev1.ResourceCPU:
			args = append(args, "--cpus", strconv.FormatFloat(q.AsApproximateFloat64(), 'f', 3, 64))
		default:
			t.Fatalf("container %s: limit %s is not modelled", c.Name, name)
		}
	}
	return args
}

// envValue resolves one environment variable the way the kubelet does.
func (pc *podContext) envValue(t *testing.T, container string, e corev1.EnvVar) string {
	t.Helper()
	src := e.ValueFrom
	switch {
	case src == nil:
		return e.Value
	case src.FieldRef != nil:
		switch src.FieldRef.FieldPath {
		case "metadata.name":
			return pc.name
		case "metadata.namespace":
			return pc.namespace
		case "spec.nodeName":
			return pc.nodeName
		case "status.podIP", "status.hostIP":
			return pc.ip
		}
		t.Fatalf("container %s env %s: fieldRef %s is not modelled", container, e.Name, src.FieldRef.FieldPath)
	case src.SecretKeyRef != nil:
		ref := src.SecretKeyRef
		s, ok := pc.secrets[ref.Name]
		if !ok {
			t.Fatalf("container %s env %s: Secret %s is not rendered", container, e.Name, ref.Name)
		}
		v, ok := secretData(s)[ref.Key]
		if !ok {
			t.Fatalf("container %s env %s: Secret %s has no key %s", container, e.Name, ref.Name, ref.Key)
		}
		return string(v)
	case src.ConfigMapKeyRef != nil:
		ref := src.ConfigMapKeyRef
		v, ok := pc.configMaps[ref.Name].Data[ref.Key]
		if !ok {
			t.Fatalf("container %s env %s: ConfigMap %s has no key %s", container, e.Name, ref.Name, ref.Key)
		}
		return v
	}
	t.Fatalf("container %s env %s: this valueFrom is not modelled", container, e.Name)
	return ""
}

// probeURL is the URL the kubelet's httpGet probe requests (at the pod IP).
func (pc *podContext) probeURL(t *testing.T, c corev1.Container, p *corev1.Probe) string {
	t.Helper()
	if p == nil || p.HTTPGet == nil {
		t.Fatalf("container %s: probe is not an httpGet probe", c.Name)
	}
	port := p.HTTPGet.Port.IntValue()
	if p.HTTPGet.Port.Type == intstr.String {
		port = int(containerPort(t, c, p.HTTPGet.Port.StrVal).ContainerPort)
	}
	scheme := strings.ToLower(string(p.HTTPGet.Scheme))
	if scheme == "" {
		scheme = "http"
	}
	return fmt.Sprintf("%s://%s:%d%s", scheme, pc.ip, port, p.HTTPGet.Path)
}

// containerPort finds a container's port by name.
func containerPort(t *testing.T, c corev1.Container, name string) corev1.ContainerPort {
	t.Helper()
	for _, p := range c.Ports {
		if p.Name == name {
			return p
		}
	}
	t.Fatalf("container %s has no port named %s", c.Name, name)
	return corev1.ContainerPort{}
}
