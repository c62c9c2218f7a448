// The neuroglancer client `braid view` serves: the registry package's viewer with its
// default UI and URL-hash state, built by scripts/build-viewer.mjs into dist/neuroglancer/.
// Which data sources, key-value stores and layer types are compiled in is chosen there.
import "neuroglancer";
import { setupDefaultViewer } from "neuroglancer/unstable/ui/default_viewer_setup.js";

// `window.viewer` (set by setupDefaultViewer) is how tests and users script the viewer.
setupDefaultViewer();
