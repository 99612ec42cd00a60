import { BaseEdge, type EdgeProps, getSmoothStepPath, useStore, useStoreApi } from '@xyflow/react';
import { memo, useMemo } from 'react';
import { NODE_HEIGHT, NODE_WIDTH } from './layout';
import { type Box, routeAround } from './route';

/** Past this many nodes the route is a plain step line: routing every edge around every node costs too much per frame. */
const ROUTE_UP_TO = 150;

/**
 * An SSH route (bastion → host) drawn as right-angled lines through the gaps between nodes,
 * so it never runs across a host it does not go to (a curve from the bastion column cut
 * through every node on its way).
 */
export const SshEdge = memo(function SshEdge(props: EdgeProps) {
  const { id, source, target, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition } = props;
  // Any node moving may open or close a gap: re-route when the nodes change.
  const nodes = useStore((s) => s.nodes);
  const store = useStoreApi();
  const route = useMemo(() => {
    if (nodes.length > ROUTE_UP_TO) return undefined;
    const boxes: Box[] = [];
    for (const node of store.getState().nodeLookup.values()) {
      const { x, y } = node.internals.positionAbsolute;
      const width = node.measured.width ?? NODE_WIDTH;
      const height = node.measured.height ?? NODE_HEIGHT;
      boxes.push({ id: node.id, left: x, top: y, right: x + width, bottom: y + height });
    }
    return routeAround({ x: sourceX, y: sourceY }, { x: targetX, y: targetY }, boxes, source, target);
  }, [nodes, store, source, target, sourceX, sourceY, targetX, targetY]);

  const [path, labelX, labelY] = route
    ? [route.path, route.label.x, route.label.y]
    : getSmoothStepPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
  return (
    <BaseEdge
      id={id}
      path={path}
      label={props.label}
      labelX={labelX}
      labelY={labelY}
      labelStyle={props.labelStyle}
      labelShowBg={props.labelShowBg}
      labelBgStyle={props.labelBgStyle}
      labelBgPadding={props.labelBgPadding}
      labelBgBorderRadius={props.labelBgBorderRadius}
      markerEnd={props.markerEnd}
      markerStart={props.markerStart}
      style={props.style}
      interactionWidth={props.interactionWidth}
    />
  );
});

export const EDGE_TYPES = { ssh: SshEdge };
