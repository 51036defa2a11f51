import { sharedTarget } from "../support/world";
import { dataVolumesSuite } from "./shapes/datavolumes";
import { instanceTypesSuite } from "./shapes/instance-types";
import { pausedSuite } from "./shapes/paused";

// The VMs people really run, beyond the containerDisk demo, through the real Pulumi engine on one target (on the
// kubevirt tier one control plane serves all three, instead of one each): powerState Paused with an
// out-of-band unpause repaired (examples/manual-power), a VM sized by an instance type and resized under each
// restartPolicy (examples/instance-types), and a VM booting from a disk CDI imports (examples/datavolume).
// Each suite names its VMs apart from the others'.

const target = sharedTarget();

pausedSuite(target);
instanceTypesSuite(target);
dataVolumesSuite(target);
