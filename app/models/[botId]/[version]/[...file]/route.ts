import { versionFileResponse } from '@/lib/model/version-files';

/**
 * GET /models/:botId/:version/:file…: a file of a stored model version (lib/model/version-files),
 * cached for good, since a version's files never change. The unversioned folders under
 * public/models/ are served as static files before this route is reached.
 */
export async function GET(request: Request, { params }: { params: Promise<{ botId: string; version: string; file: string[] }> }) {
  const { botId, version, file } = await params;
  return versionFileResponse(request, botId, version, file);
}

export const HEAD = GET;
