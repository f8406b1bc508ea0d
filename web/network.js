// The link chart on the network page (GET /network), drawn with cytoscape.
// The page already lists every node and link in two tables that work
// without JavaScript; this script draws the same figures, which the server
// puts in the chart container's data-network attribute (never in inline
// script, which the Content-Security-Policy forbids).  The chart's section
// stays hidden until it has been drawn, so no empty box shows where the
// script does not run.
import cytoscape from './cytoscape.min.mjs'

// Shape and colour of each type of node; web/app.css draws the key's
// swatches in the same colours (app-network-legend__swatch--TYPE).
const LOOK = {
  person: { shape: 'ellipse', colour: '#1d70b8' },
  child: { shape: 'star', colour: '#4c2c92' },
  restricted: { shape: 'star', colour: '#b1b4b6' },
  vehicle: { shape: 'round-rectangle', colour: '#f47738' },
  phone: { shape: 'triangle', colour: '#00703c' },
  location: { shape: 'diamond', colour: '#d4351c' },
  online_account: { shape: 'hexagon', colour: '#d53880' }
}
const OTHER = { shape: 'ellipse', colour: '#505a5f' }

// Cytoscape adds a <style> element (one rule: its container is
// position: relative) unless an element with this id exists.  The CSP
// refuses inline styles, and app.css already positions the container, so a
// placeholder with that id stands in for it.
function suppressInlineStylesheet () {
  const id = '__________cytoscape_stylesheet'
  if (document.getElementById(id)) return
  const marker = document.createElement('meta')
  marker.id = id
  marker.name = 'app-network-chart'
  document.head.appendChild(marker)
}

// The graph's elements for cytoscape, from the page's figures.  Nodes start
// on a circle in the order the server gives (the centre first), so the
// layout that follows is the same every time the page is shown.
function elements (data) {
  const n = data.nodes.length
  const radius = Math.max(120, n * 18)
  const nodes = data.nodes.map((node, i) => {
    const look = node.restricted ? LOOK.restricted : (LOOK[node.type] || OTHER)
    const angle = (2 * Math.PI * i) / Math.max(n, 1)
    return {
      group: 'nodes',
      data: {
        id: node.id,
        label: node.label,
        shape: look.shape,
        colour: look.colour,
        size: Math.round(28 + 52 * Math.min(Math.max(node.betweenness || 0, 0), 1)),
        href: node.href || '',
        centre: node.id === data.around ? 1 : 0,
        restricted: node.restricted ? 1 : 0
      },
      position: i === 0 ? { x: 0, y: 0 } : { x: radius * Math.cos(angle), y: radius * Math.sin(angle) }
    }
  })
  const edges = data.edges.map((edge, i) => ({
    group: 'edges',
    data: {
      id: `e${i}`,
      source: edge.from,
      target: edge.to,
      width: Math.min(2 + 1.5 * ((edge.weight || 1) - 1), 10),
      label: edge.relations,
      conditions: edge.conditions ? 1 : 0
    }
  }))
  return [...nodes, ...edges]
}

// Draws the chart in CONTAINER from its data-network attribute.
function draw (container) {
  let data
  try {
    data = JSON.parse(container.dataset.network)
  } catch {
    return
  }
  if (!data || !Array.isArray(data.nodes) || !Array.isArray(data.edges) || data.nodes.length < 2) return
  const section = container.closest('.app-network-chart')
  // Shown first: cytoscape sizes its canvas from the container's box.
  if (section) section.hidden = false
  suppressInlineStylesheet()
  const cy = cytoscape({
    container,
    elements: elements(data),
    minZoom: 0.2,
    maxZoom: 1.5,
    style: [
      {
        selector: 'node',
        style: {
          shape: 'data(shape)',
          'background-color': 'data(colour)',
          width: 'data(size)',
          height: 'data(size)',
          label: 'data(label)',
          color: '#0b0c0c',
          'font-family': 'arial, sans-serif',
          'font-size': 13,
          'text-valign': 'bottom',
          'text-margin-y': 4,
          'text-wrap': 'ellipsis',
          'text-max-width': 140,
          'border-width': 2,
          'border-color': '#ffffff'
        }
      },
      { selector: 'node[restricted = 1]', style: { 'border-style': 'dashed', 'border-color': '#505a5f' } },
      { selector: 'node[centre = 1]', style: { 'border-width': 4, 'border-color': '#0b0c0c' } },
      {
        selector: 'edge',
        style: {
          width: 'data(width)',
          'line-color': '#505a5f',
          'curve-style': 'bezier'
        }
      },
      { selector: 'edge[conditions = 1]', style: { 'line-style': 'dashed', 'line-color': '#d4351c' } },
      { selector: ':selected', style: { 'overlay-opacity': 0.15 } }
    ],
    layout: {
      name: 'cose',
      animate: false,
      randomize: false,
      nodeDimensionsIncludeLabels: true,
      padding: 30
    }
  })
  // A node with a record open to the user opens it.
  cy.on('tap', 'node', event => {
    const href = event.target.data('href')
    if (href) window.location.assign(href)
  })
  container.dataset.drawn = 'true'
}

const container = document.getElementById('network-chart')
if (container) draw(container)
