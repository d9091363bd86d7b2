// Finds the Python interpreter that has the training pipeline's packages. Debian's
// python3-torch lives in /usr/bin/python3; a pyenv or venv python3 on PATH usually lacks it,
// so the system interpreter is tried first. GLASSDESK_PYTHON overrides the search.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const TRAINING_MODULES = ['torch', 'onnx', 'sklearn', 'numpy'];

export const INSTALL_HINT =
  'install them with `apt-get install python3-torch python3-onnx python3-sklearn python3-numpy` (Debian) or `pip install torch onnx scikit-learn numpy`';

export function findTrainingPython(modules = TRAINING_MODULES) {
  const candidates = [process.env.GLASSDESK_PYTHON, '/usr/bin/python3', 'python3', 'python'].filter(Boolean);
  return candidates.find((python) => {
    if (python.includes('/') && !existsSync(python)) return false;
    return spawnSync(python, ['-c', `import ${modules.join(', ')}`], { stdio: 'ignore' }).status === 0;
  });
}
